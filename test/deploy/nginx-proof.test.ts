import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { connect, type SecureVersion } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findProgram,
  freePort,
  issueCertificates,
  makeTempDir,
  prepareNginx,
  ROOT,
  type Started,
  shouldSkip,
  startProcess,
  stopProcess,
  waitFor,
} from './loopback.js';

const NGINX = findProgram('nginx');

interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

interface RequestOptions {
  method?: string;
  body?: string | Buffer;
  /** Source address on the loopback network, such as 127.0.0.2 for a second client. */
  from?: string;
  headers?: Record<string, string>;
}

let dir: string;
let ca: Buffer;
let ports: { http: number; https: number; health: number; upstream: number };
let nginx: Started | undefined;
let upstream: Started | undefined;

function https(path: string, options: RequestOptions = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      {
        host: '127.0.0.1',
        port: ports.https,
        path,
        method: options.method ?? 'GET',
        ca,
        servername: 'localhost',
        localAddress: options.from ?? '127.0.0.1',
        agent: false,
        headers: { 'content-type': 'application/json', ...options.headers },
      },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
        );
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

function http(port: number, path: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

interface HandshakeResult {
  protocol?: string | null;
  cipher?: string;
  errorCode?: string;
}

/**
 * Opens a TLS connection limited to one protocol version. SECLEVEL=0 lets this client offer
 * TLS 1.0 and 1.1, which OpenSSL 3 otherwise refuses on the client side, so that a failure can
 * only come from the server.
 */
function handshake(
  version: SecureVersion,
  ciphers = 'DEFAULT@SECLEVEL=0',
): Promise<HandshakeResult> {
  return new Promise((resolve) => {
    const socket = connect({
      host: '127.0.0.1',
      port: ports.https,
      servername: 'localhost',
      ca,
      minVersion: version,
      maxVersion: version,
      ciphers,
    });
    socket.once('secureConnect', () => {
      resolve({ protocol: socket.getProtocol(), cipher: socket.getCipher().standardName });
      socket.end();
    });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      resolve({ errorCode: error.code ?? error.message }),
    );
  });
}

/**
 * Starts `infraprime serve` on the embedded database as nginx's upstream. The server sets its own
 * security headers too. nginx hides the server's copies of the headers it sets, except
 * Content-Security-Policy, so X-Frame-Options and the others arrive once and come from nginx.
 */
async function startUpstream(): Promise<void> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    INFRAPRIME_ENV: 'test',
    INFRAPRIME_LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  upstream = startProcess(
    process.execPath,
    [
      join(ROOT, 'bin', 'infraprime.js'),
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      String(ports.upstream),
      '--data',
      join(dir, 'data'),
    ],
    env,
  );
  await waitFor(
    'infraprime serve',
    async () => (await http(ports.upstream, '/health')).status === 200,
    90_000,
    upstream!,
  );
}

async function startNginx(): Promise<void> {
  if (!NGINX)
    throw new Error(
      'nginx is not installed; run .ci/proof.sh, which installs it from Debian packages',
    );
  const certs = join(dir, 'certs');
  issueCertificates(certs);
  ca = readFileSync(join(certs, 'ca.crt'));
  const conf = prepareNginx(dir, {
    ports: { http: ports.http, https: ports.https, health: ports.health },
    upstream: `127.0.0.1:${ports.upstream}`,
    certsDir: certs,
  });
  const check = spawnSync(NGINX, ['-t', '-p', dir, '-c', conf], { encoding: 'utf8' });
  if (check.status !== 0)
    throw new Error(`nginx -t rejected the deploy/nginx configuration:\n${check.stderr}`);
  nginx = startProcess(NGINX, ['-p', dir, '-c', conf, '-g', 'daemon off;']);
  await waitFor(
    'nginx',
    async () => (await http(ports.health, '/nginx-health')).status === 200,
    15_000,
    nginx!,
  );
}

const REQUIRED_HEADERS = [
  'content-security-policy',
  'strict-transport-security',
  'x-frame-options',
  'x-content-type-options',
  'referrer-policy',
  'permissions-policy',
];

/** Asserts that one HTTPS response carries each security header once, with the expected value. */
function expectSecurityHeaders(response: Response, route: string): void {
  for (const name of REQUIRED_HEADERS) {
    expect(response.headers[name], `${name} on ${route} (status ${response.status})`).toBeDefined();
  }
  const csp = String(response.headers['content-security-policy']);
  expect(csp, `CSP on ${route}`).toContain("frame-ancestors 'none'");
  expect(csp, `CSP on ${route}`).not.toContain('unsafe-inline');
  expect(response.headers['x-content-type-options'], route).toBe('nosniff');
  expect(response.headers['x-frame-options'], `a single X-Frame-Options on ${route}`).toBe('DENY');
  expect(response.headers['strict-transport-security'], route).toBe(
    'max-age=63072000; includeSubDomains',
  );
  expect(response.headers['referrer-policy'], route).toBe('no-referrer');
  expect(response.headers.server, `Server header on ${route}`).toBe('nginx');
}

describe.skipIf(shouldSkip('nginx', NGINX))('deploy/nginx on loopback', () => {
  beforeAll(async () => {
    dir = makeTempDir('infraprime-nginx-');
    ports = {
      http: await freePort(),
      https: await freePort(),
      health: await freePort(),
      upstream: await freePort(),
    };
    await startUpstream();
    await startNginx();
  }, 120_000);

  afterAll(async () => {
    await stopProcess(nginx);
    await stopProcess(upstream);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(['TLSv1', 'TLSv1.1'] as const)('rejects %s with a protocol alert', async (version) => {
    const result = await handshake(version);
    expect(result.protocol).toBeUndefined();
    expect(result.errorCode).toBe('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
  });

  it.each(['TLSv1.2', 'TLSv1.3'] as const)('accepts %s', async (version) => {
    const result = await handshake(version);
    expect(result.errorCode).toBeUndefined();
    expect(result.protocol).toBe(version);
  });

  it('negotiates a forward-secret AEAD suite on TLS 1.2', async () => {
    const result = await handshake('TLSv1.2', 'DEFAULT');
    expect(result.cipher).toMatch(
      /^TLS_ECDHE_ECDSA_WITH_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)$/,
    );
  });

  it.each(['AES128-SHA', 'ECDHE-ECDSA-AES128-SHA', 'AES256-GCM-SHA384'])(
    'rejects the TLS 1.2 suite %s',
    async (cipher) => {
      const result = await handshake('TLSv1.2', `${cipher}@SECLEVEL=0`);
      expect(result.protocol).toBeUndefined();
      expect(result.errorCode).toBe('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE');
    },
  );

  it('redirects plain HTTP to HTTPS', async () => {
    const response = await http(ports.http, '/api/v1/projects?page=2');
    expect(response.status).toBe(301);
    expect(response.headers.location).toBe('https://127.0.0.1/api/v1/projects?page=2');
  });

  it('sends every security header on every route', async () => {
    const responses: Array<[string, Response]> = [
      ['GET /', await https('/')],
      ['GET /health', await https('/health')],
      ['GET /api/v1/projects', await https('/api/v1/projects')],
      ['GET /api/v1/auth/session', await https('/api/v1/auth/session')],
      ['GET /api/v1/no-such-route', await https('/api/v1/no-such-route')],
      [
        'POST /api/v1/auth/login',
        await https('/api/v1/auth/login', { method: 'POST', body: '{}', from: '127.0.0.4' }),
      ],
      [
        'POST /api/v1/projects/p/scans',
        await https('/api/v1/projects/p/scans', { method: 'POST', body: '{}' }),
      ],
      [
        'POST 2 MiB to /api/v1/projects',
        await https('/api/v1/projects', {
          method: 'POST',
          body: Buffer.alloc(2 * 1024 * 1024, 32),
        }),
      ],
    ];
    for (const [route, response] of responses) expectSecurityHeaders(response, route);

    const tooLarge = responses.find(([route]) => route.startsWith('POST 2 MiB'))![1];
    expect(tooLarge.status, 'nginx rejects bodies over 1 MiB outside report uploads').toBe(413);
  });

  it('rate-limits the API per client address', async () => {
    const burst = await Promise.all(
      Array.from({ length: 60 }, () => https('/api/v1/projects', { from: '127.0.0.3' })),
    );
    const limited = burst.filter((response) => response.status === 429);
    expect(limited.length, 'requests past the burst get 429').toBeGreaterThan(0);
    expectSecurityHeaders(limited[0]!, '429 from limit_req');

    const other = await https('/api/v1/projects', { from: '127.0.0.2' });
    expect(other.status, 'another client is still served').not.toBe(429);
  });

  it('rate-limits login attempts more tightly', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 8; attempt++) {
      const response = await https('/api/v1/auth/login', {
        method: 'POST',
        body: '{}',
        from: '127.0.0.5',
      });
      statuses.push(response.status);
    }
    expect(statuses.slice(0, 6), 'the burst of 5 after the first request is allowed').not.toContain(
      429,
    );
    expect(statuses.slice(6), 'attempts past the burst get 429').toEqual([429, 429]);

    const other = await https('/api/v1/auth/login', {
      method: 'POST',
      body: '{}',
      from: '127.0.0.6',
    });
    expect(other.status).not.toBe(429);
  });

  it('writes one JSON object per request to the access log', () => {
    const lines = readFileSync(join(dir, 'access.log'), 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      expect(typeof entry.status).toBe('number');
      expect(entry.request_id).toMatch(/^[0-9a-f]{32}$/);
    }
    const statuses = lines.map((line) => (JSON.parse(line) as { status: number }).status);
    expect(statuses).toContain(429);
  });
});
