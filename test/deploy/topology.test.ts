import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  DEPLOY,
  findProgram,
  issueCertificates,
  makeTempDir,
  prepareNginx,
  ROOT,
  type Started,
  startProcess,
  stopProcess,
  substitute,
  waitFor,
} from './loopback.js';

/**
 * The compose topology rebuilt with network namespaces: one namespace per service, one bridge
 * per compose network, and a `client` namespace for the outside world. Every service listens on
 * its container port and resolves the compose service names, so the deploy/ files run with only
 * their paths changed.
 */

const IP = findProgram('ip');
const NGINX = findProgram('nginx');
const PG_BIN = '/usr/lib/postgresql/15/bin';
const POSTGRES = findProgram('postgres', [PG_BIN]);
const REDIS = findProgram('redis-server');
const DOMAIN = 'infraprime.example.com';
const ADMIN = { email: 'admin@example.com', password: 'topology-proof-password-1' };

/** Namespace names carry the process id, so parallel runs and leftovers cannot collide. */
const prefix = `ipt${process.pid}`;
const ns = (name: string) => `${prefix}-${name}`;

interface Attachment {
  service: string;
  network: 'edge' | 'backend' | 'data';
  address: string;
}

/** Addresses follow compose.yaml's subnets; the edge network has no fixed subnet there. */
const ATTACHMENTS: Attachment[] = [
  { service: 'client', network: 'edge', address: '10.89.0.2' },
  { service: 'nginx', network: 'edge', address: '10.89.0.3' },
  { service: 'nginx', network: 'backend', address: '172.30.1.2' },
  { service: 'api', network: 'backend', address: '172.30.1.3' },
  { service: 'api', network: 'data', address: '172.30.2.3' },
  { service: 'postgres', network: 'data', address: '172.30.2.4' },
  { service: 'redis', network: 'data', address: '172.30.2.5' },
];
const SERVICES = ['client', 'nginx', 'api', 'postgres', 'redis'];

/** Names each namespace resolves, as Docker's DNS and the `hostname:` keys provide them. */
const HOSTS: Record<string, string[]> = {
  client: [],
  nginx: ['172.30.1.3 api'],
  api: ['172.30.2.4 postgres', '172.30.2.5 redis'],
  postgres: ['172.30.2.4 postgres'],
  redis: ['172.30.2.5 redis'],
};

let dir: string;
let apiEnv: NodeJS.ProcessEnv;
const started: Started[] = [];

function run(program: string, args: string[], input?: string, env?: NodeJS.ProcessEnv) {
  const result = spawnSync(program, args, { encoding: 'utf8', input, env: env ?? process.env });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

function mustRun(program: string, args: string[], input?: string, env?: NodeJS.ProcessEnv): string {
  const result = run(program, args, input, env);
  if (result.status !== 0) {
    throw new Error(
      `${program} ${args.join(' ')} failed with exit ${result.status}: ${result.stderr}`,
    );
  }
  return result.stdout;
}

/** Runs a command inside a service's namespace. */
function inNs(service: string, command: string[], input?: string, env?: NodeJS.ProcessEnv) {
  return run(IP!, ['netns', 'exec', ns(service), ...command], input, env);
}

function buildNetwork(): void {
  for (const name of ['switch', ...SERVICES]) mustRun(IP!, ['netns', 'add', ns(name)]);
  for (const network of ['edge', 'backend', 'data']) {
    mustRun(IP!, ['-n', ns('switch'), 'link', 'add', `br-${network}`, 'type', 'bridge']);
    mustRun(IP!, ['-n', ns('switch'), 'link', 'set', `br-${network}`, 'up']);
  }
  for (const { service, network, address } of ATTACHMENTS) {
    const outside = `${service.slice(0, 6)}-${network.slice(0, 4)}`;
    const inside = `eth-${network}`;
    mustRun(IP!, [
      '-n',
      ns('switch'),
      'link',
      'add',
      outside,
      'type',
      'veth',
      'peer',
      'name',
      inside,
      'netns',
      ns(service),
    ]);
    mustRun(IP!, ['-n', ns('switch'), 'link', 'set', outside, 'master', `br-${network}`, 'up']);
    mustRun(IP!, ['-n', ns(service), 'addr', 'add', `${address}/24`, 'dev', inside]);
    mustRun(IP!, ['-n', ns(service), 'link', 'set', inside, 'up']);
  }
  for (const service of SERVICES) {
    mustRun(IP!, ['-n', ns(service), 'link', 'set', 'lo', 'up']);
    // `ip netns exec` mounts /etc/netns/NAME/hosts over /etc/hosts for the commands it runs.
    mkdirSync(`/etc/netns/${ns(service)}`, { recursive: true });
    writeFileSync(
      `/etc/netns/${ns(service)}/hosts`,
      ['127.0.0.1 localhost', ...HOSTS[service]!, ''].join('\n'),
    );
  }
}

function tearDownNetwork(): void {
  for (const name of ['switch', ...SERVICES]) {
    run(IP!, ['netns', 'del', ns(name)]);
    rmSync(`/etc/netns/${ns(name)}`, { recursive: true, force: true });
  }
  // Removes /etc/netns only when no other namespace keeps files there.
  run('rmdir', ['--ignore-fail-on-non-empty', '/etc/netns']);
}

/** Reads a KEY=VALUE file such as the generated .env. */
function readEnvFile(path: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match) values[match[1]!] = match[2]!;
  }
  return values;
}

/** Interpolates `${VAR}`, `${VAR:?}` and `${VAR:-default}` the way compose does for these values. */
function interpolate(text: string, values: Record<string, string>): string {
  return text.replace(
    /\$\{([A-Z0-9_]+)(?::([?-])([^}]*))?\}/g,
    (_match, name: string, kind, fallback: string) => {
      const value = values[name];
      if (value) return value;
      if (kind === '-') return fallback;
      throw new Error(`compose.yaml needs ${name}, which the generated .env does not set`);
    },
  );
}

/** Builds the API's environment from compose.yaml, changing only the CA path. */
function apiEnvironment(values: Record<string, string>, caPath: string): NodeJS.ProcessEnv {
  const compose = parse(readFileSync(join(DEPLOY, 'compose.yaml'), 'utf8')) as {
    services: { api: { environment: Record<string, string> } };
  };
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    INFRAPRIME_DATA_DIR: join(dir, 'api-data'),
  };
  for (const [name, raw] of Object.entries(compose.services.api.environment)) {
    env[name] = interpolate(String(raw), values).split('/run/secrets/ca_cert').join(caPath);
  }
  return env;
}

function startPostgres(certs: string, secrets: string): void {
  const pgDir = join(dir, 'postgres');
  for (const folder of ['data', 'socket', 'tls'])
    mkdirSync(join(pgDir, folder), { recursive: true, mode: 0o700 });
  for (const name of ['postgres.crt', 'postgres.key'])
    copyFileSync(join(certs, name), join(pgDir, 'tls', name));
  copyFileSync(join(secrets, 'postgres_app_password'), join(pgDir, 'postgres_app_password'));
  const conf = substitute(
    readFileSync(join(DEPLOY, 'postgres', 'postgresql.conf'), 'utf8'),
    [
      ["data_directory = '/var/lib/postgresql/data'", `data_directory = '${join(pgDir, 'data')}'`],
      [/\/etc\/postgresql\//, `${pgDir}/`],
      [
        "unix_socket_directories = '/var/run/postgresql'",
        `unix_socket_directories = '${join(pgDir, 'socket')}'`,
      ],
      ['/run/secrets/postgres_tls_cert', join(pgDir, 'tls', 'postgres.crt')],
      ['/run/secrets/postgres_tls_key', join(pgDir, 'tls', 'postgres.key')],
    ],
    'postgresql.conf',
  );
  writeFileSync(join(pgDir, 'postgresql.conf'), conf);
  copyFileSync(join(DEPLOY, 'postgres', 'pg_hba.conf'), join(pgDir, 'pg_hba.conf'));
  copyFileSync(join(DEPLOY, 'postgres', 'pg_ident.conf'), join(pgDir, 'pg_ident.conf'));
  const init = substitute(
    readFileSync(join(DEPLOY, 'postgres', 'initdb', '010-app-role.sql'), 'utf8'),
    [['/run/secrets/postgres_app_password', join(pgDir, 'postgres_app_password')]],
    '010-app-role.sql',
  );
  writeFileSync(join(pgDir, 'init.sql'), init);
  mustRun('chown', ['-R', 'postgres:postgres', pgDir]);

  const asPostgres = ['runuser', '-u', 'postgres', '--'];
  mustRun(asPostgres[0]!, [
    ...asPostgres.slice(1),
    join(PG_BIN, 'initdb'),
    '-D',
    join(pgDir, 'data'),
    '-U',
    'postgres',
    '--auth-local=peer',
    '--auth-host=scram-sha-256',
  ]);
  const start = inNs('postgres', [
    ...asPostgres,
    join(PG_BIN, 'pg_ctl'),
    '-D',
    join(pgDir, 'data'),
    '-o',
    `-c config_file=${join(pgDir, 'postgresql.conf')}`,
    '-l',
    join(pgDir, 'socket', 'server.log'),
    '-w',
    'start',
  ]);
  if (start.status !== 0)
    throw new Error(
      `PostgreSQL did not start: ${start.stderr} ${readFileSync(join(pgDir, 'socket', 'server.log'), 'utf8')}`,
    );
  mustRun(asPostgres[0]!, [
    ...asPostgres.slice(1),
    join(PG_BIN, 'psql'),
    '-h',
    join(pgDir, 'socket'),
    '-U',
    'postgres',
    '-d',
    'postgres',
    '-v',
    'ON_ERROR_STOP=1',
    '-q',
    '-f',
    join(pgDir, 'init.sql'),
  ]);
}

function startRedis(certs: string, secrets: string): void {
  const redisDir = join(dir, 'redis');
  mkdirSync(redisDir, { recursive: true });
  const conf = substitute(
    readFileSync(join(DEPLOY, 'redis', 'redis.conf'), 'utf8'),
    [
      ['/run/secrets/redis_tls_cert', join(certs, 'redis.crt')],
      ['/run/secrets/redis_tls_key', join(certs, 'redis.key')],
      ['/run/secrets/ca_cert', join(certs, 'ca.crt')],
      ['/run/secrets/redis_users_acl', join(secrets, 'redis_users.acl')],
      ['dir /data', `dir ${redisDir}`],
    ],
    'redis.conf',
  );
  writeFileSync(join(redisDir, 'redis.conf'), conf);
  started.push(
    startProcess(IP!, ['netns', 'exec', ns('redis'), REDIS!, join(redisDir, 'redis.conf')]),
  );
}

/** Sends an HTTPS request from the client namespace with curl and returns status and headers. */
function clientRequest(
  path: string,
  options: { port?: number; method?: string; body?: string; cookie?: string } = {},
) {
  const port = options.port ?? 8443;
  const scheme = port === 8080 ? 'http' : 'https';
  const args = [
    'curl',
    '-sS',
    '-o',
    '/dev/null',
    '-D',
    '-',
    '--max-time',
    '10',
    '--cacert',
    join(dir, 'certs', 'ca.crt'),
    '--resolve',
    `${DOMAIN}:${port}:10.89.0.3`,
  ];

  if (options.method) args.push('-X', options.method);
  if (options.body)
    args.push('-H', 'content-type: application/json', '--data-binary', options.body);
  if (options.cookie) args.push('-H', `cookie: ${options.cookie}`);
  args.push(`${scheme}://${DOMAIN}:${port}${path}`);
  const result = inNs('client', args);

  const lines = result.stdout.split('\r\n');
  const status = Number(/^HTTP\/[\d.]+ (\d+)/.exec(lines[0] ?? '')?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers, error: result.stderr };
}

/** Tries a TCP connection from a namespace and returns bash's error text, or 'connected'. */
function tcpProbe(service: string, address: string, port: number): string {
  const result = inNs(service, [
    'timeout',
    '5',
    'bash',
    '-c',
    `exec 3<>/dev/tcp/${address}/${port} && echo connected`,
  ]);
  return result.status === 0 ? 'connected' : result.stderr.trim() || `exit ${result.status}`;
}

function available(): boolean {
  if (!IP || !NGINX || !POSTGRES || !REDIS || process.getuid?.() !== 0) return false;
  const probe = run(IP, ['netns', 'add', `${prefix}-probe`]);
  run(IP, ['netns', 'del', `${prefix}-probe`]);
  return probe.status === 0;
}

const usable = available();
if (!usable && process.env.CI !== 'true') {
  console.warn(
    'skipping the network-namespace topology test: it needs root, `ip netns`, nginx, PostgreSQL 15 and Redis',
  );
}

describe.skipIf(!usable && process.env.CI !== 'true')(
  'compose topology in network namespaces',
  () => {
    beforeAll(async () => {
      if (!usable)
        throw new Error(
          'the topology test needs root, `ip netns`, nginx, PostgreSQL 15 and Redis; run .ci/proof.sh as root',
        );
      dir = makeTempDir('infraprime-topology-');
      buildNetwork();

      const certs = join(dir, 'certs');
      issueCertificates(certs, ['--san', `nginx=${DOMAIN}`]);
      const secrets = join(dir, 'secrets');
      mustRun('bash', [
        join(DEPLOY, 'scripts', 'generate-secrets.sh'),
        '--env-file',
        join(dir, '.env'),
        '--secrets-dir',
        secrets,
      ]);
      const values = readEnvFile(join(dir, '.env'));

      startPostgres(certs, secrets);
      startRedis(certs, secrets);
      apiEnv = apiEnvironment(values, join(certs, 'ca.crt'));
      const api = startProcess(
        IP!,
        [
          'netns',
          'exec',
          ns('api'),
          process.execPath,
          join(ROOT, 'bin', 'infraprime.js'),
          'serve',
          '--host',
          '0.0.0.0',
          '--port',
          '8080',
        ],
        apiEnv,
      );
      started.push(api);
      await waitFor(
        'the API in its namespace',
        async () => {
          const result = inNs('nginx', [
            'curl',
            '-s',
            '-o',
            '/dev/null',
            '-w',
            '%{http_code}',
            'http://api:8080/health',
          ]);
          return result.stdout === '200';
        },
        90_000,
        api!,
      );

      const conf = prepareNginx(dir, { certsDir: certs });
      const nginx = startProcess(IP!, [
        'netns',
        'exec',
        ns('nginx'),
        NGINX!,
        '-p',
        dir,
        '-c',
        conf,
        '-g',
        'daemon off;',
      ]);
      started.push(nginx);
      await waitFor(
        'nginx in its namespace',
        async () => clientRequest('/health').status === 200,
        15_000,
        nginx!,
      );
    }, 180_000);

    afterAll(async () => {
      for (const child of started.reverse()) await stopProcess(child);
      if (dir) {
        run('runuser', [
          '-u',
          'postgres',
          '--',
          join(PG_BIN, 'pg_ctl'),
          '-D',
          join(dir, 'postgres', 'data'),
          '-m',
          'fast',
          'stop',
        ]);
      }
      tearDownNetwork();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('serves HTTPS from the edge with the security headers', () => {
      const response = clientRequest('/api/v1/auth/session');
      expect(response.error).toBe('');
      expect(response.status).toBe(401);
      expect(response.headers['strict-transport-security']).toBe(
        'max-age=63072000; includeSubDomains',
      );
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    });

    it('redirects plain HTTP from the edge', () => {
      const response = clientRequest('/login', { port: 8080 });
      expect(response.status).toBe(301);
      expect(response.headers.location).toBe(`https://${DOMAIN}/login`);
    });

    it('logs in through nginx with PostgreSQL and Redis behind', () => {
      const create = inNs(
        'api',
        [
          process.execPath,
          join(ROOT, 'bin', 'infraprime.js'),
          'users',
          'create',
          '--email',
          ADMIN.email,
          '--admin',
        ],
        `${ADMIN.password}\n`,
        apiEnv,
      );
      expect(create.stderr).toBe('');
      expect(create.status).toBe(0);

      const login = clientRequest('/api/v1/auth/login', {
        method: 'POST',
        body: JSON.stringify(ADMIN),
      });
      expect(login.status).toBe(200);
      const cookie = login.headers['set-cookie']?.split(';')[0];
      expect(cookie).toBeDefined();
      const session = clientRequest('/api/v1/auth/session', { cookie: cookie! });
      expect(session.status).toBe(200);
    });

    it.each([
      ['client', '172.30.1.3', 8080, 'the API'],
      ['client', '172.30.2.4', 5432, 'PostgreSQL'],
      ['client', '172.30.2.5', 6379, 'Redis'],
      ['nginx', '172.30.2.4', 5432, 'PostgreSQL'],
      ['nginx', '172.30.2.5', 6379, 'Redis'],
      ['api', '10.89.0.2', 443, 'the edge network'],
      ['postgres', '10.89.0.2', 443, 'the edge network'],
      ['redis', '172.30.1.2', 8443, 'the backend network'],
    ])('keeps %s from reaching %s:%i (%s)', (service, address, port) => {
      expect(tcpProbe(service, address, port)).toContain('Network is unreachable');
    });

    it('lets the API reach PostgreSQL and Redis', () => {
      expect(tcpProbe('api', 'postgres', 5432)).toBe('connected');
      expect(tcpProbe('api', 'redis', 6379)).toBe('connected');
    });

    it('gives the internal networks no default route', () => {
      for (const service of ['api', 'postgres', 'redis']) {
        const routes = inNs(service, [IP!, 'route', 'show', 'default']);
        expect(routes.stdout.trim(), `${service} default route`).toBe('');
      }
    });
  },
);
