import { spawnSync } from 'node:child_process';
import { chownSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEPLOY,
  findProgram,
  freePort,
  issueCertificates,
  makeTempDir,
  shouldSkip,
  substitute,
} from './loopback.js';

const PG_BIN = '/usr/lib/postgresql/15/bin';
const POSTGRES = findProgram('postgres', [PG_BIN]);
const APP_PASSWORD = `app-${Date.now().toString(36)}-e7c1b0d2a9f4`;

let dir: string;
let port: number;
let ca: Buffer;
let postgresUid: number;
let postgresGid: number;

function binary(name: string): string {
  return join(PG_BIN, name);
}

/** Runs a PostgreSQL program as the `postgres` operating-system user, which peer auth maps. */
function asPostgres(
  program: string,
  args: string[],
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('runuser', ['-u', 'postgres', '--', program, ...args], {
    encoding: 'utf8',
    cwd: dir,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function mustSucceed(what: string, result: { status: number | null; stderr: string }): void {
  if (result.status !== 0)
    throw new Error(`${what} failed with exit ${result.status}: ${result.stderr}`);
}

function owned(path: string): string {
  chownSync(path, postgresUid, postgresGid);
  return path;
}

/**
 * Copies deploy/postgres into `dir` with only paths, the port and the listen and client
 * addresses replaced, so the real PostgreSQL 15 loads the deployment's own files.
 */
function prepareConfig(): string {
  const certs = join(dir, 'certs');
  issueCertificates(certs);
  ca = readFileSync(join(certs, 'ca.crt'));
  const tls = owned(join(dir, 'tls'));
  for (const name of ['postgres.crt', 'postgres.key']) {
    copyFileSync(join(certs, name), join(tls, name));
    owned(join(tls, name));
  }
  const secret = join(dir, 'postgres_app_password');
  writeFileSync(secret, `${APP_PASSWORD}\n`, { mode: 0o644 });

  const conf = join(dir, 'postgresql.conf');
  const text = substitute(
    readFileSync(join(DEPLOY, 'postgres', 'postgresql.conf'), 'utf8'),
    [
      ["data_directory = '/var/lib/postgresql/data'", `data_directory = '${join(dir, 'data')}'`],
      [/\/etc\/postgresql\//, `${dir}/`],
      ["listen_addresses = 'postgres'", "listen_addresses = '127.0.0.1'"],
      ['port = 5432', `port = ${port}`],
      [
        "unix_socket_directories = '/var/run/postgresql'",
        `unix_socket_directories = '${join(dir, 'socket')}'`,
      ],
      ['/run/secrets/postgres_tls_cert', join(tls, 'postgres.crt')],
      ['/run/secrets/postgres_tls_key', join(tls, 'postgres.key')],
    ],
    'postgresql.conf',
  );
  writeFileSync(conf, text);
  const hba = substitute(
    readFileSync(join(DEPLOY, 'postgres', 'pg_hba.conf'), 'utf8'),
    [['172.30.2.0/24', '127.0.0.1/32']],
    'pg_hba.conf',
  );
  writeFileSync(join(dir, 'pg_hba.conf'), hba);
  copyFileSync(join(DEPLOY, 'postgres', 'pg_ident.conf'), join(dir, 'pg_ident.conf'));
  const init = substitute(
    readFileSync(join(DEPLOY, 'postgres', 'initdb', '010-app-role.sql'), 'utf8'),
    [['/run/secrets/postgres_app_password', secret]],
    '010-app-role.sql',
  );
  writeFileSync(join(dir, 'init.sql'), init);
  return conf;
}

function connect(options: { user?: string; password?: string; ssl?: boolean } = {}): pg.Client {
  return new pg.Client({
    host: '127.0.0.1',
    port,
    database: 'infraprime',
    user: options.user ?? 'infraprime_app',
    password: options.password ?? APP_PASSWORD,
    ssl: options.ssl === false ? false : { ca, servername: 'localhost', rejectUnauthorized: true },
    connectionTimeoutMillis: 5000,
  });
}

/** Connects, runs `query` and closes, then returns the rows or the error message. */
async function tryQuery(
  client: pg.Client,
  query: string,
): Promise<{ rows?: unknown[]; error?: string }> {
  try {
    await client.connect();
    const result = await client.query(query);
    return { rows: result.rows };
  } catch (error) {
    return { error: (error as Error).message };
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe.skipIf(shouldSkip('PostgreSQL 15', POSTGRES))('deploy/postgres on loopback', () => {
  beforeAll(async () => {
    if (!POSTGRES)
      throw new Error('PostgreSQL 15 is not installed; run .ci/proof.sh, which installs it');
    dir = makeTempDir('infraprime-postgres-');
    port = await freePort();
    const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    postgresUid = Number(ids.stdout.trim());
    postgresGid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    for (const folder of ['data', 'socket', 'tls']) mkdirSync(join(dir, folder), { mode: 0o700 });
    owned(join(dir, 'data'));
    owned(join(dir, 'socket'));
    const conf = prepareConfig();

    mustSucceed(
      'initdb',
      asPostgres(binary('initdb'), [
        '-D',
        join(dir, 'data'),
        '-U',
        'postgres',
        '--auth-local=peer',
        '--auth-host=scram-sha-256',
      ]),
    );
    mustSucceed(
      'pg_ctl start',
      asPostgres(binary('pg_ctl'), [
        '-D',
        join(dir, 'data'),
        '-o',
        `-c config_file=${conf}`,
        '-l',
        join(dir, 'socket', 'server.log'),
        '-w',
        'start',
      ]),
    );
    mustSucceed(
      'the init SQL',
      asPostgres(binary('psql'), [
        '-h',
        join(dir, 'socket'),
        '-p',
        String(port),
        '-U',
        'postgres',
        '-d',
        'postgres',
        '-v',
        'ON_ERROR_STOP=1',
        '-q',
        '-f',
        join(dir, 'init.sql'),
      ]),
    );
  }, 120_000);

  afterAll(() => {
    if (!dir) return;
    asPostgres(binary('pg_ctl'), ['-D', join(dir, 'data'), '-m', 'fast', 'stop']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts the app role over verified TLS', async () => {
    const result = await tryQuery(
      connect(),
      'SELECT ssl, version AS tls, current_user AS role, current_schema() AS schema FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
    );
    expect(result.error).toBeUndefined();
    const row = result.rows?.[0] as { ssl: boolean; tls: string; role: string; schema: string };
    expect(row.ssl).toBe(true);
    expect(['TLSv1.2', 'TLSv1.3']).toContain(row.tls);
    expect(row.role).toBe('infraprime_app');
    expect(row.schema).toBe('infraprime');
  });

  it('rejects connections without TLS', async () => {
    const result = await tryQuery(connect({ ssl: false }), 'SELECT 1');
    expect(result.error).toMatch(/no pg_hba\.conf entry .*no encryption/);
  });

  it('rejects the superuser over TCP', async () => {
    const result = await tryQuery(connect({ user: 'postgres', password: 'anything' }), 'SELECT 1');
    expect(result.error).toMatch(/no pg_hba\.conf entry for host "127\.0\.0\.1", user "postgres"/);
  });

  it('rejects a wrong password', async () => {
    const result = await tryQuery(connect({ password: 'wrong' }), 'SELECT 1');
    expect(result.error).toMatch(/password authentication failed for user "infraprime_app"/);
  });

  it('lets the app role create tables only in its schema', async () => {
    const own = await tryQuery(connect(), 'CREATE TABLE proof_table (id integer)');
    expect(own.error).toBeUndefined();
    const publicSchema = await tryQuery(connect(), 'CREATE TABLE public.proof_table (id integer)');
    expect(publicSchema.error).toMatch(/permission denied for schema public/);
    const database = await tryQuery(connect(), 'CREATE DATABASE proof_db');
    expect(database.error).toMatch(/permission denied to create database/);
    const role = await tryQuery(connect(), 'CREATE ROLE proof_role');
    expect(role.error).toMatch(/permission denied to create role/);
  });

  // The same commands as the backup and restore steps in deploy/README.md, through the socket.
  it('restores a pg_dump --create backup', async () => {
    const seed = await tryQuery(
      connect(),
      "CREATE TABLE backup_proof (note text); INSERT INTO backup_proof VALUES ('kept')",
    );
    expect(seed.error).toBeUndefined();
    const socket = ['-h', join(dir, 'socket'), '-p', String(port), '-U', 'postgres'];
    const dump = join(dir, 'socket', 'infraprime.dump');

    mustSucceed(
      'pg_dump',
      asPostgres(binary('pg_dump'), [
        ...socket,
        '-d',
        'infraprime',
        '--create',
        '--format=custom',
        '--file',
        dump,
      ]),
    );
    mustSucceed('dropdb', asPostgres(binary('dropdb'), [...socket, '--force', 'infraprime']));
    const gone = await tryQuery(connect(), 'SELECT 1');
    expect(gone.error).toMatch(/database "infraprime" does not exist/);
    mustSucceed(
      'pg_restore',
      asPostgres(binary('pg_restore'), [
        ...socket,
        '-d',
        'postgres',
        '--create',
        '--exit-on-error',
        dump,
      ]),
    );

    const restored = await tryQuery(
      connect(),
      'SELECT note, current_schema() AS schema FROM backup_proof',
    );
    expect(restored.error).toBeUndefined();
    expect(restored.rows).toEqual([{ note: 'kept', schema: 'infraprime' }]);
    const publicSchema = await tryQuery(
      connect(),
      'CREATE TABLE public.after_restore (id integer)',
    );
    expect(publicSchema.error).toMatch(/permission denied for schema public/);
  });

  it('stores the password as SCRAM and never logs it', () => {
    const query = asPostgres(binary('psql'), [
      '-h',
      join(dir, 'socket'),
      '-p',
      String(port),
      '-U',
      'postgres',
      '-d',
      'postgres',
      '-At',
      '-c',
      "SELECT rolpassword FROM pg_authid WHERE rolname = 'infraprime_app'",
    ]);
    expect(query.status).toBe(0);
    expect(query.stdout.trim()).toMatch(/^SCRAM-SHA-256\$/);
    expect(readFileSync(join(dir, 'socket', 'server.log'), 'utf8')).not.toContain(APP_PASSWORD);
  });
});
