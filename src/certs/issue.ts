import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { type CertService, namesFor, subjectAltName } from './names.js';
import { runOpenssl } from './openssl.js';

export interface IssueOptions {
  /** Folder the CA and the certificates are written to; created when missing. */
  outDir: string;
  services: readonly CertService[];
  /** Names added to each service's defaults, from `--san`. */
  extraNames?: Partial<Record<CertService, string[]>>;
  /** Validity of the server certificates, in days. */
  days: number;
  /** Validity of a newly created CA, in days. */
  caDays: number;
  /** Replace server certificates that already exist in `outDir`. */
  force: boolean;
}

export interface IssuedCertificate {
  service: CertService;
  certPath: string;
  keyPath: string;
  names: string[];
  notAfter: string;
}

export interface IssueResult {
  caPath: string;
  caKeyPath: string;
  /** False when an existing CA in `outDir` signed the new certificates. */
  caCreated: boolean;
  certificates: IssuedCertificate[];
}

export class CertificateError extends Error {
  constructor(
    message: string,
    readonly help?: string,
  ) {
    super(message);
    this.name = 'CertificateError';
  }
}

const CA_SUBJECT = '/O=InfraPrime/CN=InfraPrime local CA';

/** OpenSSL configuration for the CA: it signs server certificates and nothing below them. */
const CA_CONFIG = `[req]
distinguished_name = dn
x509_extensions = ca
[dn]
[ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
`;

function serverExtensions(names: readonly string[]): string {
  return `[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
subjectAltName = ${subjectAltName(names)}
`;
}

/** Generates a P-256 key, which nginx, PostgreSQL, Redis and every client in the deployment accept. */
async function generateKey(path: string, workDir: string): Promise<void> {
  await runOpenssl(
    ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path],
    workDir,
  );
  chmodSync(path, 0o600);
}

/**
 * Returns a random positive 127-bit serial number. RFC 5280 requires a positive serial of at most
 * 20 octets, and a random one cannot be predicted by someone who wants a colliding certificate.
 */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return `0x${bytes.toString('hex')}`;
}

async function createCa(caPath: string, keyPath: string, days: number, workDir: string) {
  const configPath = join(workDir, 'ca.cnf');
  writeFileSync(configPath, CA_CONFIG);
  await generateKey(keyPath, workDir);
  await runOpenssl(
    [
      'req',
      '-new',
      '-x509',
      '-config',
      configPath,
      '-key',
      keyPath,
      '-sha256',
      '-days',
      String(days),
      '-subj',
      CA_SUBJECT,
      '-set_serial',
      randomSerial(),
      '-out',
      caPath,
    ],
    workDir,
  );
}

async function issueServer(
  service: CertService,
  names: string[],
  ca: { certPath: string; keyPath: string },
  days: number,
  workDir: string,
): Promise<{ certPath: string; keyPath: string }> {
  const keyPath = join(workDir, `${service}.key`);
  const csrPath = join(workDir, `${service}.csr`);
  const certPath = join(workDir, `${service}.crt`);
  const extPath = join(workDir, `${service}.ext`);
  writeFileSync(extPath, serverExtensions(names));
  writeFileSync(join(workDir, 'req.cnf'), '[req]\ndistinguished_name = dn\n[dn]\n');

  await generateKey(keyPath, workDir);
  await runOpenssl(
    ['req', '-new', '-config', 'req.cnf', '-key', keyPath, '-subj', `/O=InfraPrime/CN=${names[0]}`],
    workDir,
  ).then((csr) => writeFileSync(csrPath, csr));
  await runOpenssl(
    [
      'x509',
      '-req',
      '-in',
      csrPath,
      '-CA',
      ca.certPath,
      '-CAkey',
      ca.keyPath,
      '-set_serial',
      randomSerial(),
      '-days',
      String(days),
      '-sha256',
      '-extfile',
      extPath,
      '-extensions',
      'server',
      '-out',
      certPath,
    ],
    workDir,
  );
  return { certPath, keyPath };
}

/** Checks what OpenSSL wrote: signed by the CA, and valid for every requested name. */
function verifyIssued(certPath: string, caPath: string, names: readonly string[]): X509Certificate {
  const cert = new X509Certificate(readFileSync(certPath));
  const ca = new X509Certificate(readFileSync(caPath));
  if (!cert.verify(ca.publicKey)) {
    throw new CertificateError(
      `${certPath} is not signed by ${caPath}; this is a bug in InfraPrime`,
    );
  }
  for (const name of names) {
    const matched = isIP(name) ? cert.checkIP(name) : cert.checkHost(name);
    if (!matched) {
      throw new CertificateError(
        `${certPath} does not cover '${name}'; this is a bug in InfraPrime`,
      );
    }
  }
  return cert;
}

function ensureCaPair(caPath: string, caKeyPath: string): boolean {
  const hasCert = existsSync(caPath);
  const hasKey = existsSync(caKeyPath);
  if (hasCert !== hasKey) {
    const missing = hasCert ? caKeyPath : caPath;
    throw new CertificateError(
      `${missing} is missing, so the CA in the folder cannot sign new certificates`,
      'restore the file, or move both ca.crt and ca.key away to create a new CA',
    );
  }
  if (!hasCert) return false;
  const cert = new X509Certificate(readFileSync(caPath));
  if (!cert.checkPrivateKey(createPrivateKey(readFileSync(caKeyPath)))) {
    throw new CertificateError(
      `${caKeyPath} is not the private key of ${caPath}`,
      'restore the matching pair, or move both files away to create a new CA',
    );
  }
  return true;
}

/** Rejects server certificates that would stay valid after the CA that signs them expires. */
function checkCaLifetime(caPath: string, days: number): void {
  const caEnd = new Date(new X509Certificate(readFileSync(caPath)).validTo);
  const certEnd = new Date(Date.now() + days * 86_400_000);
  if (certEnd > caEnd) {
    throw new CertificateError(
      `the CA in ${caPath} expires on ${caEnd.toISOString()}, before a certificate valid for ${days} days would end`,
      'pass a smaller --days, or move ca.crt and ca.key away to create a new CA',
    );
  }
}

function refuseOverwrite(options: IssueOptions): void {
  if (options.force) return;
  const existing = options.services
    .flatMap((service) => [`${service}.crt`, `${service}.key`])
    .map((name) => join(options.outDir, name))
    .filter((path) => existsSync(path));
  if (existing.length > 0) {
    throw new CertificateError(
      `${existing.join(', ')} already exist`,
      'pass --force to replace them; the CA is kept, so clients that trust it need no change',
    );
  }
}

/**
 * Creates a local CA in `outDir` (or reuses the one there) and signs one server certificate per
 * service. Keys are written with mode 0600. Files appear only after every step has succeeded.
 */
export async function issueCertificates(options: IssueOptions): Promise<IssueResult> {
  const caPath = join(options.outDir, 'ca.crt');
  const caKeyPath = join(options.outDir, 'ca.key');
  mkdirSync(options.outDir, { recursive: true, mode: 0o700 });
  const caExists = ensureCaPair(caPath, caKeyPath);
  refuseOverwrite(options);
  if (caExists) checkCaLifetime(caPath, options.days);
  else if (options.days > options.caDays) {
    throw new CertificateError(
      `certificates valid for ${options.days} days would outlive a new CA valid for ${options.caDays} days`,
      'pass a --days no larger than --ca-days',
    );
  }

  const workDir = mkdtempSync(join(options.outDir, '.certs-'));
  try {
    const ca = caExists
      ? { certPath: caPath, keyPath: caKeyPath }
      : { certPath: join(workDir, 'ca.crt'), keyPath: join(workDir, 'ca.key') };
    if (!caExists) await createCa(ca.certPath, ca.keyPath, options.caDays, workDir);

    const issued: Array<IssuedCertificate & { tempCert: string; tempKey: string }> = [];
    for (const service of options.services) {
      const names = namesFor(service, options.extraNames?.[service]);
      const paths = await issueServer(service, names, ca, options.days, workDir);
      const cert = verifyIssued(paths.certPath, ca.certPath, names);
      issued.push({
        service,
        names,
        notAfter: new Date(cert.validTo).toISOString(),
        certPath: join(options.outDir, `${service}.crt`),
        keyPath: join(options.outDir, `${service}.key`),
        tempCert: paths.certPath,
        tempKey: paths.keyPath,
      });
    }

    if (!caExists) {
      renameSync(ca.keyPath, caKeyPath);
      renameSync(ca.certPath, caPath);
    }
    for (const entry of issued) {
      renameSync(entry.tempKey, entry.keyPath);
      renameSync(entry.tempCert, entry.certPath);
      chmodSync(entry.certPath, 0o644);
    }
    if (!caExists) chmodSync(caPath, 0o644);
    return {
      caPath,
      caKeyPath,
      caCreated: !caExists,
      certificates: issued.map(({ tempCert: _c, tempKey: _k, ...rest }) => rest),
    };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
