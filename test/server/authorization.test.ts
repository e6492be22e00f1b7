import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/server/auth/permissions.js';
import { DEFAULT_SLA_POLICY } from '../../src/vulns/sla.js';
import {
  addUser,
  backendKinds,
  type Caller,
  call,
  createTestServer,
  login,
  type Session,
  type TestServer,
  trivyReport,
} from './helpers.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface RouteCase {
  method: Method;
  /** `:project` is replaced by the id of the project under test. */
  path: string;
  /** Roles whose sessions may call the route. */
  roles: Role[];
  /** Whether a token scoped to the project, carrying every token action, may call it. */
  token: boolean;
  /** The route describes the caller, so a token for any project may call it. */
  anyToken?: boolean;
  body?: (n: number) => unknown;
}

const ALL: Role[] = ['admin', 'engineer', 'viewer'];
const WRITERS: Role[] = ['admin', 'engineer'];
const ADMIN: Role[] = ['admin'];

function auditBody() {
  return {
    schemaVersion: '1.0.0',
    tool: { name: 'infraprime', version: '0.1.0' },
    root: '/srv/app',
    generatedAt: new Date().toISOString(),
    summary: {
      files: 1,
      findings: 0,
      suppressed: 0,
      bySeverity: { info: 0, low: 0, medium: 0, high: 0, critical: 0 },
    },
    findings: [],
  };
}

const ROUTES: RouteCase[] = [
  { method: 'GET', path: '/api/v1/auth/session', roles: ALL, token: true, anyToken: true },
  { method: 'GET', path: '/api/v1/projects', roles: ALL, token: false },
  {
    method: 'POST',
    path: '/api/v1/projects',
    roles: ADMIN,
    token: false,
    body: (n) => ({ slug: `matrix-${n}`, name: 'Matrix' }),
  },
  { method: 'GET', path: '/api/v1/projects/:project', roles: ALL, token: true },
  {
    method: 'PUT',
    path: '/api/v1/projects/:project/sla-policy',
    roles: ADMIN,
    token: false,
    body: () => DEFAULT_SLA_POLICY,
  },
  {
    method: 'POST',
    path: '/api/v1/projects/:project/audits',
    roles: WRITERS,
    token: true,
    body: auditBody,
  },
  { method: 'GET', path: '/api/v1/projects/:project/audits', roles: ALL, token: true },
  {
    method: 'POST',
    path: '/api/v1/projects/:project/scans',
    roles: WRITERS,
    token: true,
    body: (n) => trivyReport('team/api', [[`CVE-2024-${1000 + n}`, 'openssl', 'HIGH']]),
  },
  { method: 'GET', path: '/api/v1/projects/:project/scans', roles: ALL, token: true },
  { method: 'GET', path: '/api/v1/projects/:project/findings', roles: ALL, token: true },
  { method: 'GET', path: '/api/v1/projects/:project/acceptances', roles: ALL, token: true },
  {
    method: 'POST',
    path: '/api/v1/projects/:project/acceptances',
    roles: WRITERS,
    token: false,
    body: () => ({
      kind: 'false-positive',
      vulnId: 'CVE-2024-0001',
      reason: 'The package is never loaded at runtime.',
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    }),
  },
  { method: 'GET', path: '/api/v1/users', roles: ADMIN, token: false },
  {
    method: 'POST',
    path: '/api/v1/users',
    roles: ADMIN,
    token: false,
    body: (n) => ({ email: `new-${n}@example.test`, role: 'viewer', password: 'a long password!' }),
  },
  { method: 'GET', path: '/api/v1/tokens', roles: WRITERS, token: false },
  {
    method: 'POST',
    path: '/api/v1/tokens',
    roles: WRITERS,
    token: false,
    body: () => ({
      name: 'ci',
      projectIds: [PROJECT.id],
      actions: ['findings:read'],
      expiresInDays: 30,
    }),
  },
  { method: 'GET', path: '/api/v1/security-events', roles: ADMIN, token: false },
];

/** Filled in before the cases run; the token body needs the project id. */
const PROJECT = { id: '' };

describe.each(backendKinds())('authorization on %s', (kind) => {
  let server: TestServer;
  const sessions = {} as Record<Role, Session>;
  let ownToken: string;
  let otherToken: string;
  let otherProjectId: string;
  let counter = 0;

  async function createToken(session: Session, projectId: string) {
    const response = await call(server, session, 'POST', '/api/v1/tokens', {
      name: 'matrix',
      projectIds: [projectId],
      actions: ['projects:read', 'findings:read', 'audits:write', 'scans:write'],
      expiresInDays: 7,
    });
    expect(response.statusCode).toBe(201);
    return response.json().secret as string;
  }

  beforeAll(async () => {
    server = await createTestServer(kind);
    for (const role of ALL) {
      await addUser(server, `${role}@example.test`, role);
      sessions[role] = await login(server, `${role}@example.test`);
    }
    const create = (slug: string) =>
      call(server, sessions.admin, 'POST', '/api/v1/projects', { slug, name: slug });
    PROJECT.id = (await create('target')).json().id;
    otherProjectId = (await create('other')).json().id;
    ownToken = await createToken(sessions.engineer, PROJECT.id);
    otherToken = await createToken(sessions.engineer, otherProjectId);
  });

  afterAll(async () => {
    await server?.close();
  });

  function send(route: RouteCase, caller: Caller) {
    counter++;
    const url = route.path.replace(':project', PROJECT.id);
    return call(server, caller, route.method, url, route.body?.(counter));
  }

  it('covers every API route of the OpenAPI document', async () => {
    const document = (await call(server, null, 'GET', '/docs/openapi.json')).json();
    const listed = new Set(ROUTES.map((route) => `${route.method} ${route.path}`));
    const missing: string[] = [];
    for (const [path, operations] of Object.entries(document.paths as object)) {
      if (!path.startsWith('/api/') || path.includes('/auth/log')) continue;
      const normalized = path.replace('{projectId}', ':project');
      for (const method of Object.keys(operations as object)) {
        const key = `${method.toUpperCase()} ${normalized}`;
        // Routes on one item (by id) are covered by the role tests of their resource.
        if (!listed.has(key) && !/\{\w+Id\}/.test(normalized)) missing.push(key);
      }
    }
    expect(missing).toEqual([]);
  });

  for (const route of ROUTES) {
    const name = `${route.method} ${route.path}`;

    it(`${name} rejects callers without credentials`, async () => {
      const response = await send(route, null);
      expect(response.statusCode).toBe(401);
      expect(response.json().code).toBe('unauthenticated');
    });

    it(`${name} allows exactly ${route.roles.join(', ')}`, async () => {
      for (const role of ALL) {
        const response = await send(route, sessions[role]);
        const allowed = route.roles.includes(role);
        expect({ role, status: response.statusCode }).toEqual({
          role,
          status: allowed ? expect.toSatisfy((s: number) => s < 300) : 403,
        });
      }
    });

    it(`${name} ${route.token ? 'allows' : 'rejects'} a token for the project`, async () => {
      const response = await send(route, { token: ownToken });
      if (route.token) expect(response.statusCode).toBeLessThan(300);
      else expect(response.statusCode).toBe(403);
    });

    it.skipIf(route.anyToken)(`${name} rejects a token for another project`, async () => {
      const response = await send(route, { token: otherToken });
      expect(response.statusCode).toBe(403);
      expect(response.json().code).toBe('forbidden');
    });
  }

  it('rejects a revoked token', async () => {
    const secret = await createToken(sessions.engineer, PROJECT.id);
    const url = `/api/v1/projects/${PROJECT.id}`;
    expect((await call(server, { token: secret }, 'GET', url)).statusCode).toBe(200);
    const list = await call(server, sessions.engineer, 'GET', '/api/v1/tokens?limit=200');
    const token = list
      .json()
      .items.find((item: { prefix: string }) => secret.startsWith(item.prefix) && item.prefix);
    const revoked = await call(server, sessions.engineer, 'DELETE', `/api/v1/tokens/${token.id}`);
    expect(revoked.statusCode).toBe(200);
    const after = await call(server, { token: secret }, 'GET', url);
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('invalid-token');
  });

  it('lets an engineer see and revoke only their own tokens', async () => {
    const adminToken = await call(server, sessions.admin, 'POST', '/api/v1/tokens', {
      name: 'admin',
      projectIds: [PROJECT.id],
      actions: ['projects:read'],
      expiresInDays: 1,
    });
    const id = adminToken.json().token.id;
    const list = await call(server, sessions.engineer, 'GET', '/api/v1/tokens?limit=200');
    expect(list.json().items.some((item: { id: string }) => item.id === id)).toBe(false);
    const revoke = await call(server, sessions.engineer, 'DELETE', `/api/v1/tokens/${id}`);
    expect(revoke.statusCode).toBe(404);
  });

  it('rejects a viewer changing a user', async () => {
    const target = sessions.engineer.userId;
    const response = await call(server, sessions.viewer, 'PATCH', `/api/v1/users/${target}`, {
      role: 'admin',
    });
    expect(response.statusCode).toBe(403);
  });

  it('records denied requests as security events', async () => {
    const events = await call(
      server,
      sessions.admin,
      'GET',
      '/api/v1/security-events?type=permission.denied&limit=5',
    );
    expect(events.statusCode).toBe(200);
    expect(events.json().items.length).toBeGreaterThan(0);
  });
});
