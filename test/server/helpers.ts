import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import pino from 'pino';
import { buildApp } from '../../src/server/app.js';
import type { Role } from '../../src/server/auth/permissions.js';
import { loadConfig, type ServerConfig } from '../../src/server/config.js';
import type { Database } from '../../src/server/db/database.js';
import { migrate } from '../../src/server/db/migrate.js';
import { openPglite } from '../../src/server/db/pglite-driver.js';
import { openPostgres } from '../../src/server/db/postgres-driver.js';
import { parsePostgresUrl } from '../../src/server/db/postgres-url.js';
import { createUser } from '../../src/server/services/users.js';
import { createMemoryStore } from '../../src/server/stores/memory-store.js';
import { connectRedis, createRedisStore } from '../../src/server/stores/redis-store.js';
import type { KeyValueStore } from '../../src/server/stores/store.js';

export type BackendKind = 'pglite' | 'postgres+redis';

const DATABASE_URL = process.env.INFRAPRIME_TEST_DATABASE_URL;
const REDIS_URL = process.env.INFRAPRIME_TEST_REDIS_URL;

/** PGlite always; real PostgreSQL and Redis when their test URLs are set. */
export function backendKinds(): BackendKind[] {
  return DATABASE_URL && REDIS_URL ? ['pglite', 'postgres+redis'] : ['pglite'];
}

/** Under CI the real servers are required, so their absence fails instead of skipping. */
export function realBackendsMissingUnderCi(): boolean {
  return process.env.CI === 'true' && !(DATABASE_URL && REDIS_URL);
}

/** Small argon2 settings keep tests fast; production defaults are far larger. */
export const TEST_ENV: NodeJS.ProcessEnv = {
  INFRAPRIME_ARGON2_MEMORY_KIB: '64',
  INFRAPRIME_ARGON2_TIME_COST: '1',
  INFRAPRIME_CORS_ORIGINS: 'https://console.example.test',
  INFRAPRIME_LOG_LEVEL: 'info',
  INFRAPRIME_ENV: 'test',
};

export const PASSWORD = 'correct horse battery staple';

export interface TestServer {
  app: FastifyInstance;
  db: Database;
  store: KeyValueStore;
  config: ServerConfig;
  kind: BackendKind;
  /** Parsed JSON log lines written so far. */
  logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/**
 * Drops a test database. `WITH (FORCE)` ends the test's own leftover connections, but it fails
 * with insufficient_privilege when a process of another role, such as an autovacuum worker, is
 * in the database at that moment. A plain drop makes autovacuum stop, so both are retried.
 */
async function dropWithRetries(client: pg.Client, name: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      return;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== '42501' || attempt >= 20) throw error;
    }
    try {
      await client.query(`DROP DATABASE IF EXISTS ${name}`);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Creates an empty database on the test PostgreSQL server and returns its URL. */
export async function createPostgresDatabase(): Promise<{
  url: string;
  drop: () => Promise<void>;
}> {
  const base = DATABASE_URL as string;
  const target = parsePostgresUrl(base);
  const name = `infraprime_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ ...target, ssl: target.ssl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ ...target, ssl: target.ssl });
      await client.connect();
      try {
        await dropWithRetries(client, name);
      } finally {
        await client.end();
      }
    },
  };
}

export interface TestServerOptions {
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
}

/** Builds the app on a fresh, migrated database; close() removes everything it created. */
export async function createTestServer(
  kind: BackendKind,
  options: TestServerOptions = {},
): Promise<TestServer> {
  const logs: Array<Record<string, unknown>> = [];
  const destination = { write: (line: string) => logs.push(JSON.parse(line)) };
  const cleanups: Array<() => Promise<void>> = [];
  let db: Database;
  let store: KeyValueStore;
  let redis: Awaited<ReturnType<typeof connectRedis>> | undefined;

  const prefix = `infraprime-test:${randomBytes(6).toString('hex')}:`;
  const env = { ...TEST_ENV, INFRAPRIME_REDIS_PREFIX: prefix, ...options.env };
  if (kind === 'pglite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'infraprime-server-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    db = await openPglite(dataDir);
    store = createMemoryStore();
  } else {
    const database = await createPostgresDatabase();
    cleanups.push(database.drop);
    db = await openPostgres(database.url);
    redis = await connectRedis({
      url: REDIS_URL as string,
      caFile: process.env.INFRAPRIME_TEST_CA_FILE,
      keyPrefix: prefix,
    });
    store = createRedisStore(redis, prefix);
  }
  await migrate(db);

  const config = loadConfig(env, {});
  const logger = pino(
    { level: 'info', base: { service: 'infraprime-api', environment: 'test' } },
    destination,
  );
  const app = await buildApp({ config, db, store, redis, logger, now: options.now });
  await app.ready();
  return {
    app,
    db,
    store,
    config,
    kind,
    logs,
    async close() {
      await app.close();
      await store.close();
      await db.close();
      for (const cleanup of cleanups.reverse()) await cleanup();
    },
  };
}

export async function addUser(server: TestServer, email: string, role: Role) {
  return createUser(server, { email, role, password: PASSWORD });
}

/** A logged-in browser: the session cookie and the CSRF token to send with writes. */
export interface Session {
  cookie: string;
  csrfToken: string;
  userId: string;
}

export async function login(server: TestServer, email: string, password = PASSWORD) {
  const response = await server.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password },
  });
  if (response.statusCode !== 200) {
    throw new Error(`login of ${email} failed: ${response.statusCode} ${response.body}`);
  }
  const cookie = response.cookies.find((item) => item.name === '__Host-infraprime-session');
  const body = response.json() as { csrfToken: string; user: { id: string } };
  return {
    cookie: `__Host-infraprime-session=${cookie?.value}`,
    csrfToken: body.csrfToken,
    userId: body.user.id,
  } satisfies Session;
}

export type Caller = Session | { token: string } | null;

/** Sends a request with a session and its CSRF token, a bearer token, or no credentials. */
export function call(
  server: TestServer,
  caller: Caller,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = {};
  if (caller && 'cookie' in caller) {
    headers.cookie = caller.cookie;
    headers['x-csrf-token'] = caller.csrfToken;
  } else if (caller) {
    headers.authorization = `Bearer ${caller.token}`;
  }
  return server.app.inject({
    method,
    url,
    headers,
    ...(payload === undefined ? {} : { payload: payload as string | object }),
  });
}

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** The scan-report corpus beside the repository; tests that need it skip without it. */
export const SCAN_REPORTS = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'shared',
  'corpus',
  'scan-reports',
);
export const JUICE_SHOP = join(
  SCAN_REPORTS,
  'trivy',
  'securecodebox-juice-shop-v12.10.2-alpine-node.json',
);
export const BUSYBOX_GRYPE = join(SCAN_REPORTS, 'grype', 'defectdojo-grype-busybox-epss.json');
export const corpusAvailable = existsSync(JUICE_SHOP) && existsSync(BUSYBOX_GRYPE);

/** Follows `nextCursor` until the last page and returns every item. */
export async function readAllPages<T>(
  server: TestServer,
  caller: Caller,
  url: string,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const separator = url.includes('?') ? '&' : '?';
    const page = await call(
      server,
      caller,
      'GET',
      cursor ? `${url}${separator}cursor=${encodeURIComponent(cursor)}` : url,
    );
    if (page.statusCode !== 200) {
      const errors = server.logs.filter((line) => line.level === 50).map((line) => line.err);
      throw new Error(`GET ${url} failed: ${page.body} ${JSON.stringify(errors.at(-1))}`);
    }
    const body = page.json() as { items: T[]; nextCursor?: string };
    items.push(...body.items);
    cursor = body.nextCursor;
  } while (cursor);
  return items;
}

/** Row counts of the tables that report ingestion writes. */
export async function countRows(db: Database): Promise<Record<string, number>> {
  const tables = ['audits', 'audit_findings', 'images', 'scans', 'vuln_findings'];
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const { rows } = await db.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM ${table}`,
    );
    counts[table] = rows[0]?.count ?? 0;
  }
  return counts;
}

/** Builds a small Trivy report of one image with vulnerabilities as (id, package, severity). */
export function trivyReport(
  image: string,
  vulnerabilities: Array<[id: string, pkg: string, severity: string]>,
  createdAt = new Date().toISOString(),
) {
  return {
    SchemaVersion: 2,
    CreatedAt: createdAt,
    ArtifactName: image,
    ArtifactType: 'container_image',
    Results: [
      {
        Target: `${image} (debian 12.5)`,
        Class: 'os-pkgs',
        Type: 'debian',
        Vulnerabilities: vulnerabilities.map(([id, pkg, severity]) => ({
          VulnerabilityID: id,
          PkgName: pkg,
          InstalledVersion: '1.0.0',
          FixedVersion: '1.0.1',
          Severity: severity,
          Title: `${id} in ${pkg}`,
        })),
      },
    ],
  };
}
