import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import { openPglite } from '../../src/server/db/pglite-driver.js';
import { ERROR_CODES } from '../../src/server/errors.js';
import { createMemoryStore } from '../../src/server/stores/memory-store.js';
import {
  addUser,
  backendKinds,
  call,
  createTestServer,
  login,
  type Session,
  TEST_ENV,
  type TestServer,
} from './helpers.js';

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-xss-protection': '0',
  'cache-control': 'no-store',
};

function expectSecurityHeaders(headers: Record<string, unknown>) {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    expect({ name, value: headers[name] }).toEqual({ name, value });
  }
  expect(headers['content-security-policy']).toMatch(/default-src 'none'/);
  expect(headers['strict-transport-security']).toMatch(/max-age=\d+/);
}

describe.each(backendKinds())('operations endpoints on %s', (kind) => {
  let server: TestServer;
  let admin: Session;

  beforeAll(async () => {
    server = await createTestServer(kind, {
      env: { INFRAPRIME_METRICS_TOKEN: 'metrics-secret-for-tests' },
    });
    await addUser(server, 'admin@example.test', 'admin');
    admin = await login(server, 'admin@example.test');
  });

  afterAll(async () => {
    await server?.close();
  });

  it('reports liveness', async () => {
    const response = await call(server, null, 'GET', '/health');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('reports readiness of database and cache', async () => {
    const response = await call(server, null, 'GET', '/ready');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      status: 'ready',
      checks: { database: 'ok', cache: 'ok' },
    });
  });

  it('requires the metrics token', async () => {
    const anonymous = await call(server, null, 'GET', '/metrics');
    expect(anonymous.statusCode).toBe(401);
    const wrong = await call(server, { token: 'guess' }, 'GET', '/metrics');
    expect(wrong.statusCode).toBe(401);
    const response = await call(server, { token: 'metrics-secret-for-tests' }, 'GET', '/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.body).toMatch(/^infraprime_http_requests_total\{.*route="\/health"/m);
    expect(response.body).toMatch(/environment="test"/);
  });

  it('publishes an OpenAPI document with every error code', async () => {
    const response = await call(server, null, 'GET', '/docs/openapi.json');
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toBe('3.1.0');
    expect(document.components.schemas.Problem.properties.code.enum).toEqual(ERROR_CODES);
    const writes = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations as Record<string, { requestBody?: unknown }>)
        .filter(([method]) => ['post', 'put', 'patch'].includes(method))
        .map(([method, operation]) => ({ path, method, body: !!operation.requestBody })),
    );
    expect(writes.length).toBeGreaterThan(8);
    const withoutBody = writes.filter((write) => !write.body).map((write) => write.path);
    expect(withoutBody).toEqual(['/api/v1/auth/logout']);
  });

  it('sends security headers on success and error responses', async () => {
    const responses = [
      await call(server, null, 'GET', '/health'),
      await call(server, null, 'GET', '/api/v1/projects'),
      await call(server, null, 'GET', '/no/such/route'),
      await call(server, admin, 'GET', '/api/v1/projects'),
    ];
    expect(responses.map((response) => response.statusCode)).toEqual([200, 401, 404, 200]);
    for (const response of responses) expectSecurityHeaders(response.headers);
  });

  it('answers unknown routes with a problem document', async () => {
    const response = await call(server, null, 'GET', '/api/v1/nothing');
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ code: 'route-not-found', status: 404 });
  });

  it('allows cross-origin calls only from listed origins', async () => {
    const preflight = (origin: string) =>
      server.app.inject({
        method: 'OPTIONS',
        url: '/api/v1/projects',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-csrf-token',
        },
      });
    const allowed = await preflight('https://console.example.test');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://console.example.test');
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');
    const foreign = await preflight('https://attacker.example');
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('keeps a well-formed request id and replaces others', async () => {
    const kept = await server.app.inject({
      method: 'GET',
      url: '/health',
      headers: { 'x-request-id': 'proxy-1234' },
    });
    expect(kept.headers['x-request-id']).toBe('proxy-1234');
    const replaced = await server.app.inject({
      method: 'GET',
      url: '/health',
      headers: { 'x-request-id': 'bad id\twith spaces' },
    });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const logged = server.logs.some((line) => line.reqId === 'proxy-1234');
    expect(logged).toBe(true);
  });
});

describe.each(backendKinds())('readiness failures on %s', (kind) => {
  it('answers 503 when the cache is down', async () => {
    const server = await createTestServer(kind);
    try {
      if (kind === 'pglite') {
        server.store.ping = async () => {
          throw new Error('connection refused');
        };
      } else {
        await server.store.close();
      }
      const response = await call(server, null, 'GET', '/ready');
      expect(response.statusCode).toBe(503);
      expect(response.json().checks).toEqual({ database: 'ok', cache: 'failed' });
      if (kind !== 'pglite') {
        const api = await call(server, null, 'GET', '/api/v1/projects');
        expect(api.statusCode).toBe(503);
        expect(api.json().code).toBe('unavailable');
        expect((await call(server, null, 'GET', '/health')).statusCode).toBe(200);
      }
      const warning = server.logs.find((line) => line.msg === 'readiness check failed');
      expect(warning?.level).toBe(40);
    } finally {
      server.store.close = async () => {};
      await server.close();
    }
  });

  it('answers 503 when the database is down', async () => {
    const server = await createTestServer(kind);
    try {
      const close = server.db.close;
      await close();
      server.db.close = async () => {};
      const response = await call(server, null, 'GET', '/ready');
      expect(response.statusCode).toBe(503);
      expect(response.json().checks).toEqual({ database: 'failed', cache: 'ok' });
    } finally {
      await server.close();
    }
  });
});

describe.each(backendKinds())('client rate limit on %s', (kind) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await createTestServer(kind, { env: { INFRAPRIME_RATE_LIMIT_CLIENT: '3' } });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('limits clients but not health checks', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await call(server, null, 'GET', '/api/v1/projects')).statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const limited = await call(server, null, 'GET', '/api/v1/projects');
    expect(limited.json().code).toBe('rate-limited');
    expect(limited.headers['retry-after']).toBeDefined();
    expectSecurityHeaders(limited.headers);
    expect((await call(server, null, 'GET', '/health')).statusCode).toBe(200);
  });
});

describe('route registration', () => {
  it('rejects a route without an access rule', async () => {
    const db = await openPglite(null);
    const store = createMemoryStore();
    const app = await buildApp({
      config: loadConfig(TEST_ENV, {}),
      db,
      store,
      logger: pino({ level: 'silent' }),
    });
    try {
      expect(() => app.get('/api/v1/open', async () => ({}))).toThrow(/no config\.access rule/);
    } finally {
      await app.close();
      await store.close();
      await db.close();
    }
  });
});
