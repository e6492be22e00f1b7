import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/server/auth/secrets.js';
import { LAST_USED_PRECISION_MS } from '../../src/server/plugins/auth.js';
import {
  addUser,
  backendKinds,
  call,
  createTestServer,
  login,
  PASSWORD,
  type Session,
  type TestServer,
} from './helpers.js';

const DAY_MS = 86_400_000;

describe.each(backendKinds())('sessions and tokens on %s', (kind) => {
  let server: TestServer;
  let clock = new Date();
  let admin: Session;
  let projectId: string;

  beforeAll(async () => {
    server = await createTestServer(kind, {
      now: () => clock,
      env: { INFRAPRIME_LOGIN_LOCK_AFTER: '5', INFRAPRIME_RATE_LIMIT_LOGIN: '1000' },
    });
    await addUser(server, 'admin@example.test', 'admin');
    await addUser(server, 'engineer@example.test', 'engineer');
    admin = await login(server, 'admin@example.test');
    const project = await call(server, admin, 'POST', '/api/v1/projects', {
      slug: 'shop',
      name: 'Shop',
    });
    projectId = project.json().id;
  });

  afterAll(async () => {
    await server?.close();
  });

  it('sets a strict session cookie', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'admin@example.test', password: PASSWORD },
    });
    expect(response.statusCode).toBe(200);
    const header = String(response.headers['set-cookie']);
    expect(header).toMatch(/^__Host-infraprime-session=/);
    expect(header).toMatch(/; HttpOnly/);
    expect(header).toMatch(/; Secure/);
    expect(header).toMatch(/; SameSite=Strict/);
    expect(header).toMatch(/; Path=\//);
    expect(header).not.toMatch(/Domain=/);
  });

  it('stores no password hash in responses', async () => {
    const response = await call(server, admin, 'GET', '/api/v1/users');
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toMatch(/argon2|passwordHash|password_hash/);
  });

  it('rejects a cookie write without the CSRF token', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/projects',
      headers: { cookie: admin.cookie },
      payload: { slug: 'csrf', name: 'CSRF' },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('csrf-failed');
  });

  it('rejects a cookie write with a wrong CSRF token', async () => {
    const response = await call(
      server,
      { ...admin, csrfToken: 'x'.repeat(43) },
      'POST',
      '/api/v1/projects',
      {
        slug: 'csrf',
        name: 'CSRF',
      },
    );
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('csrf-failed');
  });

  it('rejects a cookie write from a foreign origin', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/projects',
      headers: {
        cookie: admin.cookie,
        'x-csrf-token': admin.csrfToken,
        origin: 'https://attacker.example',
      },
      payload: { slug: 'origin', name: 'Origin' },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('origin-rejected');
  });

  it('accepts a cookie write from an allowed origin', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/projects',
      headers: {
        cookie: admin.cookie,
        'x-csrf-token': admin.csrfToken,
        origin: 'https://console.example.test',
      },
      payload: { slug: 'origin', name: 'Origin' },
    });
    expect(response.statusCode).toBe(201);
  });

  it('ends the session on logout', async () => {
    const session = await login(server, 'engineer@example.test');
    const logout = await call(server, session, 'POST', '/api/v1/auth/logout');
    expect(logout.statusCode).toBe(204);
    const after = await call(server, session, 'GET', '/api/v1/auth/session');
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('session-expired');
  });

  it('ends a session 12 hours after login', async () => {
    const session = await login(server, 'engineer@example.test');
    clock = new Date(clock.getTime() + 13 * 3_600_000);
    const after = await call(server, session, 'GET', '/api/v1/auth/session');
    expect(after.statusCode).toBe(401);
    admin = await login(server, 'admin@example.test');
  });

  it('answers a wrong password and an unknown email alike', async () => {
    const wrong = await call(server, null, 'POST', '/api/v1/auth/login', {
      email: 'engineer@example.test',
      password: 'not the password',
    });
    const unknown = await call(server, null, 'POST', '/api/v1/auth/login', {
      email: 'nobody@example.test',
      password: 'not the password',
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().code).toBe('invalid-credentials');
    expect(unknown.json().code).toBe('invalid-credentials');
  });

  it('backs off and then locks after repeated failures', async () => {
    await addUser(server, 'target@example.test', 'viewer');
    const attempt = () =>
      call(server, null, 'POST', '/api/v1/auth/login', {
        email: 'target@example.test',
        password: 'guessing wrong',
      });
    const codes: string[] = [];
    for (let i = 0; i < 8; i++) {
      const response = await attempt();
      codes.push(response.json().code);
      // Waiting out each back-off lets the next guess reach the password check.
      clock = new Date(clock.getTime() + 120_000);
    }
    expect(codes.slice(0, 4)).toEqual(Array(4).fill('invalid-credentials'));
    expect(codes).toContain('account-locked');
    const correct = await call(server, null, 'POST', '/api/v1/auth/login', {
      email: 'target@example.test',
      password: PASSWORD,
    });
    expect(correct.statusCode).toBe(429);
    expect(correct.headers['retry-after']).toBeDefined();

    const events = await call(server, admin, 'GET', '/api/v1/security-events?type=login.locked');
    expect(events.json().items.length).toBe(1);
  });

  it('shows a token secret once and stores only its hash', async () => {
    const response = await call(server, admin, 'POST', '/api/v1/tokens', {
      name: 'ci',
      projectIds: [projectId],
      actions: ['scans:write'],
      expiresInDays: 30,
    });
    expect(response.statusCode).toBe(201);
    const { secret, token } = response.json();
    expect(secret).toMatch(/^ipt_[A-Za-z0-9_-]{43}$/);
    const { rows } = await server.db.query<{ token_hash: string }>(
      'SELECT token_hash FROM api_tokens WHERE id = $1',
      [token.id],
    );
    expect(rows[0]?.token_hash).toBe(hashSecret(secret));
    const list = await call(server, admin, 'GET', '/api/v1/tokens');
    expect(list.body).not.toContain(secret);
  });

  it('rejects an expired token', async () => {
    const created = await call(server, admin, 'POST', '/api/v1/tokens', {
      name: 'short',
      projectIds: [projectId],
      actions: ['projects:read'],
      expiresInDays: 1,
    });
    const token = { token: created.json().secret as string };
    const url = `/api/v1/projects/${projectId}`;
    expect((await call(server, token, 'GET', url)).statusCode).toBe(200);
    clock = new Date(clock.getTime() + 2 * DAY_MS);
    admin = await login(server, 'admin@example.test');
    const after = await call(server, token, 'GET', url);
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('invalid-token');
  });

  it('writes token last use once a minute', async () => {
    const created = await call(server, admin, 'POST', '/api/v1/tokens', {
      name: 'burst',
      projectIds: [projectId],
      actions: ['projects:read'],
      expiresInDays: 1,
    });
    const id = created.json().token.id as string;
    const token = { token: created.json().secret as string };
    const lastUsed = async () => {
      const { rows } = await server.db.query<{ last_used_at: Date | string }>(
        'SELECT last_used_at FROM api_tokens WHERE id = $1',
        [id],
      );
      return new Date(rows[0]!.last_used_at).getTime();
    };
    const first = clock.getTime();
    await call(server, token, 'GET', `/api/v1/projects/${projectId}`);
    expect(await lastUsed()).toBe(first);

    clock = new Date(first + 30_000);
    await call(server, token, 'GET', `/api/v1/projects/${projectId}`);
    expect(await lastUsed()).toBe(first);

    clock = new Date(first + LAST_USED_PRECISION_MS);
    await call(server, token, 'GET', `/api/v1/projects/${projectId}`);
    expect(await lastUsed()).toBe(first + LAST_USED_PRECISION_MS);

    // A clock set back by an hour writes the earlier time.
    clock = new Date(first - 3_600_000);
    await call(server, token, 'GET', `/api/v1/projects/${projectId}`);
    expect(await lastUsed()).toBe(first - 3_600_000);
    clock = new Date(first + LAST_USED_PRECISION_MS);
  });

  it('pages security events newest first', async () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      await call(server, { token: `ipt_unknown${attempt}` }, 'GET', '/api/v1/projects');
    }
    const ids: number[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const page = await call(server, admin, 'GET', `/api/v1/security-events?limit=5${query}`);
      expect(page.statusCode).toBe(200);
      ids.push(...page.json().items.map((event: { id: string }) => Number(event.id)));
      cursor = page.json().nextCursor;
    } while (cursor);
    expect(ids.length).toBeGreaterThan(12);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(ids.length);
    expect(Math.min(...ids)).toBe(1);
  });

  it('limits a token to its actions', async () => {
    const created = await call(server, admin, 'POST', '/api/v1/tokens', {
      name: 'read-only',
      projectIds: [projectId],
      actions: ['findings:read'],
      expiresInDays: 1,
    });
    const token = { token: created.json().secret as string };
    const read = await call(server, token, 'GET', `/api/v1/projects/${projectId}/findings`);
    expect(read.statusCode).toBe(200);
    const write = await call(server, token, 'POST', `/api/v1/projects/${projectId}/scans`, {});
    expect(write.statusCode).toBe(403);
  });

  it('rejects a malformed bearer header', async () => {
    const response = await server.app.inject({
      method: 'GET',
      url: `/api/v1/projects/${projectId}`,
      headers: { authorization: 'Basic YWRtaW46YWRtaW4=' },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('invalid-token');
  });

  it('keeps the last administrator', async () => {
    const me = await call(server, admin, 'GET', '/api/v1/auth/session');
    const response = await call(server, admin, 'PATCH', `/api/v1/users/${me.json().user.id}`, {
      role: 'viewer',
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().code).toBe('last-admin');
  });

  it('rejects a disabled user’s session', async () => {
    await addUser(server, 'leaver@example.test', 'engineer');
    const session = await login(server, 'leaver@example.test');
    const disable = await call(server, admin, 'PATCH', `/api/v1/users/${session.userId}`, {
      disabled: true,
    });
    expect(disable.statusCode).toBe(200);
    expect(disable.json().disabled).toBe(true);
    const after = await call(server, session, 'GET', '/api/v1/auth/session');
    expect(after.statusCode).toBe(401);
  });

  it('keeps passwords and secrets out of the logs', () => {
    const text = JSON.stringify(server.logs);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(admin.csrfToken);
    expect(text).not.toMatch(/ipt_[A-Za-z0-9_-]{43}/);
  });

  it('logs failed logins as security events', () => {
    const lines = server.logs.filter(
      (line) => line.msg === 'security event' && line.securityEvent === 'login.failed',
    );
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((line) => line.level === 40)).toBe(true);
  });
});

describe('login rate limit', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await createTestServer('pglite', { env: { INFRAPRIME_RATE_LIMIT_LOGIN: '3' } });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('limits logins per client address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await call(server, null, 'POST', '/api/v1/auth/login', {
        email: `guess-${i}@example.test`,
        password: 'not the password',
      });
      statuses.push(response.statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });
});
