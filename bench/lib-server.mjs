// Starts the built console API (`node bin/infraprime.js serve`) on 127.0.0.1 for the
// benchmarks, on PGlite in a temporary folder or on a fresh PostgreSQL database, and talks to
// it over HTTP. Run `npm run build` first.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const PROJECT_DIR = join(here, '..');
const CLI = join(PROJECT_DIR, 'bin', 'infraprime.js');
const HOST = '127.0.0.1';
export const ADMIN_EMAIL = 'bench-admin@example.test';
const ADMIN_PASSWORD = `bench-${randomBytes(12).toString('hex')}`;

/** Children still running; the exit handler kills them if a benchmark fails halfway. */
const running = new Set();
/** stop() of every started server, so that an interrupted run still removes its database. */
const stops = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await Promise.allSettled([...stops].map((stop) => stop()));
    process.exit(130);
  });
}

/** Reads the real PostgreSQL and Redis URLs that `.ci/services.sh` writes, or returns null. */
export function realBackends() {
  const database = process.env.INFRAPRIME_TEST_DATABASE_URL;
  const redis = process.env.INFRAPRIME_TEST_REDIS_URL;
  if (!database || !redis) return null;
  return { database, redis, caFile: process.env.INFRAPRIME_TEST_CA_FILE };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Creates an empty database beside the one in `baseUrl`; drop() removes it again. */
async function createDatabase(baseUrl) {
  const { default: pg } = await import('pg');
  const { parsePostgresUrl } = await import('../dist/server/db/postgres-url.js');
  const target = parsePostgresUrl(baseUrl);
  const name = `infraprime_bench_${randomBytes(6).toString('hex')}`;
  const run = async (sql) => {
    const client = new pg.Client({ ...target, ssl: target.ssl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** Deletes the Redis keys under `prefix`: sessions, rate-limit counters and login counters. */
async function deleteRedisKeys(backends, prefix) {
  const { Redis } = await import('ioredis');
  const tls = backends.caFile ? { ca: readFileSync(backends.caFile) } : undefined;
  const redis = new Redis(backends.redis, { tls, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    // Bounded: 10,000 SCAN pages is far more than one benchmark run writes.
    for (let page = 0; page < 10_000; page++) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
  } finally {
    redis.disconnect();
  }
}

function createAdmin(env, dataDir) {
  const result = spawnSync(
    process.execPath,
    [CLI, 'users', 'create', '--admin', '--email', ADMIN_EMAIL, '--data', dataDir],
    { env, input: `${ADMIN_PASSWORD}\n`, encoding: 'utf8', timeout: 120_000 },
  );
  if (result.status !== 0) {
    throw new Error(`infraprime users create failed (${result.status}): ${result.stderr}`);
  }
}

async function waitForHealth(baseUrl, child) {
  // Bounded: 600 tries of 100 ms; migrations on a fresh database finish well inside a minute.
  for (let attempt = 0; attempt < 600; attempt++) {
    if (child.exitCode !== null) throw new Error(`server exited with status ${child.exitCode}`);
    try {
      const response = await fetch(`${baseUrl}/health`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server at ${baseUrl} did not become healthy within 60 s`);
}

/** Peak resident set size of a process in MiB, from Linux's /proc (VmHWM); null elsewhere. */
function peakRssMib(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]);
    return Number.isFinite(kib) ? Math.round(kib / 1024) : null;
  } catch {
    return null;
  }
}

/**
 * Starts the server on `backend` ('pglite' or 'postgres') with its own data folder, database
 * and Redis key prefix, creates an administrator, and returns a client for it. stop() ends the
 * server and removes everything it created.
 */
export async function startServer(backend, extraEnv = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'infraprime-bench-'));
  const cleanups = [() => rmSync(dataDir, { recursive: true, force: true })];
  const env = { ...process.env, INFRAPRIME_LOG_LEVEL: 'warn', ...extraEnv };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  let database = null;
  try {
    if (backend === 'postgres') {
      const backends = realBackends();
      if (!backends)
        throw new Error(
          'INFRAPRIME_TEST_DATABASE_URL and INFRAPRIME_TEST_REDIS_URL are not set, so source the env file that .ci/services.sh writes',
        );
      database = await createDatabase(backends.database);
      cleanups.unshift(database.drop);
      const prefix = `infraprime-bench:${randomBytes(6).toString('hex')}:`;
      cleanups.unshift(() => deleteRedisKeys(backends, prefix));
      Object.assign(env, {
        DATABASE_URL: database.url,
        REDIS_URL: backends.redis,
        INFRAPRIME_REDIS_PREFIX: prefix,
        ...(backends.caFile ? { INFRAPRIME_REDIS_CA_FILE: backends.caFile } : {}),
      });
    }
    createAdmin(env, dataDir);
  } catch (error) {
    await runCleanups(cleanups);
    throw error;
  }

  const port = await freePort();
  const baseUrl = `http://${HOST}:${port}`;
  const logFile = join(dataDir, 'server.log');
  const log = openSync(logFile, 'w');
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--host', HOST, '--port', String(port), '--data', dataDir],
    { env, stdio: ['ignore', log, log] },
  );
  closeSync(log);
  running.add(child);
  const exited = new Promise((resolve) => child.once('exit', resolve));

  const stop = async () => {
    const peak = peakRssMib(child.pid);
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    running.delete(child);
    stops.delete(stop);
    await runCleanups(cleanups);
    return { peakRssMib: peak };
  };
  stops.add(stop);

  try {
    await waitForHealth(baseUrl, child);
    const client = await createClient(baseUrl);
    return { backend, baseUrl, pid: child.pid, client, stop, logFile, database: database?.name };
  } catch (error) {
    console.error(readFileSync(logFile, 'utf8').slice(-4000));
    await stop();
    throw error;
  }
}

async function runCleanups(cleanups) {
  for (const cleanup of cleanups) {
    try {
      await cleanup();
    } catch (error) {
      console.error(`cleanup failed: ${error.message}`);
    }
  }
}

/** Logs the administrator in and returns helpers that call the API as them or with a token. */
async function createClient(baseUrl) {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
  });
  if (!login.ok) throw new Error(`login failed: ${login.status} ${await login.text()}`);
  const cookie = login.headers
    .getSetCookie()
    .map((item) => item.split(';')[0])
    .join('; ');
  const { csrfToken } = await login.json();
  const session = { cookie, 'x-csrf-token': csrfToken };

  /** Sends one request; `body` may be an object or a prepared JSON string. */
  const call = async (method, path, { body, token, expect = [200, 201] } = {}) => {
    const headers = token ? { authorization: `Bearer ${token}` } : { ...session };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined || typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    if (!expect.includes(response.status)) {
      throw new Error(`${method} ${path} returned ${response.status}: ${text.slice(0, 500)}`);
    }
    return { status: response.status, json: text ? JSON.parse(text) : null };
  };

  return {
    call,
    async createProject(slug) {
      return (await call('POST', '/api/v1/projects', { body: { slug, name: slug } })).json;
    },
    async createToken(projectIds, actions) {
      const body = { name: `bench-${Date.now()}`, projectIds, actions, expiresInDays: 1 };
      return (await call('POST', '/api/v1/tokens', { body })).json.secret;
    },
  };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
