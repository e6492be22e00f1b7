import type { Command } from 'commander';
import { CertificateError, type IssueResult, issueCertificates } from '../../certs/issue.js';
import {
  CERT_SERVICES,
  type CertService,
  isCertService,
  parseSanOptions,
  SanError,
} from '../../certs/names.js';
import { OpensslError } from '../../certs/openssl.js';
import { UsageError } from '../errors.js';

interface CertsFlags {
  out: string;
  service?: string[];
  san?: string[];
  days: string;
  caDays: string;
  force: boolean;
  format: string;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function registerCerts(program: Command): void {
  program
    .command('certs')
    .description(
      'create a local CA and TLS certificates for nginx, PostgreSQL and Redis (development and tests)',
    )
    .option(
      '-o, --out <folder>',
      'folder for ca.crt, ca.key and SERVICE.crt/.key',
      'deploy/secrets',
    )
    .option(
      '--service <names...>',
      `services to issue for: ${CERT_SERVICES.join(', ')} (default: all)`,
    )
    .option(
      '--san <SERVICE=NAME[,NAME]>',
      'add host names or IP addresses to a service certificate; repeatable',
      collect,
    )
    .option('--days <days>', 'validity of the service certificates, in days', '90')
    .option('--ca-days <days>', 'validity of a newly created CA, in days', '365')
    .option('--force', 'replace existing service certificates; an existing CA is kept', false)
    .option('-f, --format <format>', 'output format: text or json', 'text')
    .action(async (flags: CertsFlags) => {
      const result = await runCerts(flags);
      process.stdout.write(
        flags.format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : describe(result),
      );
    });
}

function parseDays(option: string, value: string): number {
  const days = Number(value);
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    throw new UsageError(
      `${option} ${value} is invalid`,
      `use a whole number of days from 1 to 3650`,
    );
  }
  return days;
}

function parseServices(values: string[] | undefined): CertService[] {
  if (!values || values.length === 0) return [...CERT_SERVICES];
  const names = values.flatMap((value) => value.split(',')).map((name) => name.trim());
  const unknown = names.filter((name) => !isCertService(name));
  if (unknown.length > 0) {
    throw new UsageError(
      `unknown service '${unknown[0]}'`,
      `use one of: ${CERT_SERVICES.join(', ')}`,
    );
  }
  return [...new Set(names as CertService[])];
}

/** Issues the certificates and turns the expected failures into usage errors (exit code 2). */
async function runCerts(flags: CertsFlags): Promise<IssueResult> {
  if (flags.format !== 'text' && flags.format !== 'json') {
    throw new UsageError(`unknown format '${flags.format}'`, 'use text or json');
  }
  try {
    return await issueCertificates({
      outDir: flags.out,
      services: parseServices(flags.service),
      extraNames: parseSanOptions(flags.san ?? []),
      days: parseDays('--days', flags.days),
      caDays: parseDays('--ca-days', flags.caDays),
      force: flags.force,
    });
  } catch (error) {
    if (error instanceof SanError)
      throw new UsageError(
        error.message,
        'write --san SERVICE=NAME, such as --san nginx=infraprime.example.com',
      );
    if (error instanceof CertificateError) throw new UsageError(error.message, error.help);
    if (error instanceof OpensslError && error.missing) {
      throw new UsageError(
        error.message,
        'install OpenSSL, for example with `apt-get install openssl`',
      );
    }
    throw error;
  }
}

function describe(result: IssueResult): string {
  const lines = [
    result.caCreated
      ? `created CA ${result.caPath} (key ${result.caKeyPath})`
      : `signed with the existing CA ${result.caPath}`,
  ];
  for (const cert of result.certificates) {
    lines.push(
      `${cert.service}: ${cert.certPath} and ${cert.keyPath}, valid until ${cert.notAfter} for ${cert.names.join(', ')}`,
    );
  }
  lines.push('Keep ca.key out of git and off the servers; only ca.crt is distributed to clients.');
  return `${lines.join('\n')}\n`;
}
