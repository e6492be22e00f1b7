import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEPLOY,
  findProgram,
  freePort,
  issueCertificates,
  makeTempDir,
  type Started,
  shouldSkip,
  startProcess,
  stopProcess,
  substitute,
  waitFor,
} from './loopback.js';

const REDIS = findProgram('redis-server');

let dir: string;
let port: number;
let ca: Buffer;
let password: string;
let server: Started | undefined;
const clients: Redis[] = [];

/** Runs deploy/scripts/generate-secrets.sh into `dir`, as an operator would before the first start. */
function generateSecrets(): void {
  const result = spawnSync(
    'bash',
    [
      join(DEPLOY, 'scripts', 'generate-secrets.sh'),
      '--env-file',
      join(dir, '.env'),
      '--secrets-dir',
      join(dir, 'secrets'),
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0)
    throw new Error(`generate-secrets.sh failed with exit ${result.status}: ${result.stderr}`);
  password = /^REDIS_APP_PASSWORD=(.+)$/m.exec(readFileSync(join(dir, '.env'), 'utf8'))![1]!;
}

/** Copies deploy/redis/redis.conf with only the port, paths and the bind address replaced. */
function prepareConfig(): string {
  const certs = join(dir, 'certs');
  issueCertificates(certs);
  ca = readFileSync(join(certs, 'ca.crt'));
  const text = substitute(
    readFileSync(join(DEPLOY, 'redis', 'redis.conf'), 'utf8'),
    [
      ['tls-port 6379', `tls-port ${port}`],
      ['bind redis', 'bind 127.0.0.1'],
      ['/run/secrets/redis_tls_cert', join(certs, 'redis.crt')],
      ['/run/secrets/redis_tls_key', join(certs, 'redis.key')],
      ['/run/secrets/ca_cert', join(certs, 'ca.crt')],
      ['/run/secrets/redis_users_acl', join(dir, 'secrets', 'redis_users.acl')],
      ['dir /data', `dir ${dir}`],
    ],
    'redis.conf',
  );
  const conf = join(dir, 'redis.conf');
  writeFileSync(conf, text);
  return conf;
}

function client(options: { username?: string; password?: string } = {}): Redis {
  const redis = new Redis({
    host: '127.0.0.1',
    port,
    tls: { ca, servername: 'localhost' },
    lazyConnect: true,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    ...options,
  });
  redis.on('error', () => undefined);
  clients.push(redis);
  return redis;
}

function appClient(): Redis {
  return client({ username: 'infraprime_app', password });
}

/** Sends `command` and returns the reply, or the error message the server replied with. */
async function reply(redis: Redis, command: string, ...args: string[]): Promise<string> {
  try {
    return String(await redis.call(command, ...args));
  } catch (error) {
    return (error as Error).message;
  }
}

describe.skipIf(shouldSkip('redis-server', REDIS))('deploy/redis on loopback', () => {
  beforeAll(async () => {
    if (!REDIS)
      throw new Error('redis-server is not installed; run .ci/proof.sh, which installs it');
    dir = makeTempDir('infraprime-redis-');
    port = await freePort();
    generateSecrets();
    server = startProcess(REDIS, [prepareConfig()]);
    await waitFor(
      'redis-server',
      async () => {
        const probe = appClient();
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      },
      15_000,
      server!,
    );
  }, 60_000);

  afterAll(async () => {
    for (const redis of clients) redis.disconnect();
    await stopProcess(server);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('sends plain-text clients no reply on the TLS port', async () => {
    const received = await new Promise<string>((resolve) => {
      let data = '';
      const socket = connectTcp(port, '127.0.0.1', () => socket.write('PING\r\n'));
      socket.on('data', (chunk) => {
        data += chunk.toString('latin1');
      });
      socket.on('close', () => resolve(data));
      socket.on('error', () => resolve(data));
      socket.setTimeout(2000, () => socket.destroy());
    });
    expect(received).not.toContain('PONG');
  });

  it('rejects TLS 1.1', async () => {
    const code = await new Promise<string>((resolve) => {
      const socket = connectTls({
        host: '127.0.0.1',
        port,
        ca,
        servername: 'localhost',
        minVersion: 'TLSv1.1',
        maxVersion: 'TLSv1.1',
        ciphers: 'DEFAULT@SECLEVEL=0',
      });
      socket.once('secureConnect', () => {
        resolve('connected');
        socket.end();
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    expect(code).toBe('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
  });

  it('rejects commands without authentication', async () => {
    const anonymous = client();
    await anonymous.connect();
    expect(await reply(anonymous, 'PING')).toMatch(/^NOAUTH/);
    expect(await reply(anonymous, 'GET', 'infraprime:key')).toMatch(/^NOAUTH/);
  });

  it('rejects the default user', async () => {
    const anonymous = client();
    await anonymous.connect();
    expect(await reply(anonymous, 'AUTH', 'default', password)).toMatch(/^WRONGPASS/);
    expect(await reply(anonymous, 'AUTH', password)).toMatch(/^WRONGPASS/);
  });

  it('lets the app user use keys under its prefix', async () => {
    const app = appClient();
    await app.connect();
    expect(await reply(app, 'SET', 'infraprime:session', 'value', 'EX', '60')).toBe('OK');
    expect(await reply(app, 'GET', 'infraprime:session')).toBe('value');
    expect(
      await reply(app, 'EVAL', "return redis.call('INCR', KEYS[1])", '1', 'infraprime:counter'),
    ).toBe('1');
    expect(await reply(app, 'INFO', 'server')).toContain('redis_version');
    expect(await reply(app, 'SET', 'other:key', 'value')).toMatch(/^NOPERM/);
  });

  // DEBUG is also switched off for every user by `enable-debug-command no`, which Redis checks
  // before the ACL rules.
  it.each([
    ['FLUSHALL', [], /^NOPERM/],
    ['FLUSHDB', [], /^NOPERM/],
    ['CONFIG', ['GET', 'requirepass'], /^NOPERM/],
    ['KEYS', ['*'], /^NOPERM/],
    ['DEBUG', ['SLEEP', '0'], /^ERR DEBUG command not allowed/],
    ['MONITOR', [], /^NOPERM/],
    ['SHUTDOWN', [], /^NOPERM/],
    ['ACL', ['LIST'], /^NOPERM/],
    ['REPLICAOF', ['127.0.0.1', '1'], /^NOPERM/],
    ['MODULE', ['LIST'], /^NOPERM/],
  ] as const)('denies the app user %s', async (command, args, expected) => {
    const app = appClient();
    await app.connect();
    expect(await reply(app, command, ...args)).toMatch(expected);
  });
});
