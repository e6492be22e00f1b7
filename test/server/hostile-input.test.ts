import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  addUser,
  backendKinds,
  call,
  corpusAvailable,
  countRows,
  createTestServer,
  JUICE_SHOP,
  login,
  readJson,
  type Session,
  type TestServer,
  trivyReport,
} from './helpers.js';

const LIMITS = {
  INFRAPRIME_BODY_LIMIT: '4096',
  INFRAPRIME_REPORT_BODY_LIMIT: '65536',
  INFRAPRIME_MAX_REPORT_ENTRIES: '20',
};

function auditWithMessage(message: string) {
  return {
    schemaVersion: '1.0.0',
    tool: { name: 'infraprime', version: '0.1.0' },
    root: '/srv/app',
    generatedAt: new Date().toISOString(),
    summary: {
      files: 1,
      findings: 1,
      suppressed: 0,
      bySeverity: { info: 0, low: 0, medium: 0, high: 1, critical: 0 },
    },
    findings: [
      {
        ruleId: 'DF001',
        kind: 'misconfiguration',
        severity: 'high',
        layer: 'container',
        control: 'container.non-root',
        message,
        fingerprint: '0123456789abcdef0123456789abcdef',
      },
    ],
  };
}

describe.each(backendKinds())('hostile input on %s', (kind) => {
  let server: TestServer;
  let admin: Session;
  let projectId: string;
  let rowsBefore: Record<string, number>;

  beforeAll(async () => {
    server = await createTestServer(kind, { env: LIMITS });
    await addUser(server, 'admin@example.test', 'admin');
    admin = await login(server, 'admin@example.test');
    const project = await call(server, admin, 'POST', '/api/v1/projects', {
      slug: 'target',
      name: 'Target',
    });
    projectId = project.json().id;
  });

  beforeEach(async () => {
    rowsBefore = await countRows(server.db);
  });

  afterAll(async () => {
    await server?.close();
  });

  /** Sends a raw body with the session's cookie and CSRF token. */
  function sendRaw(url: string, body: string, contentType = 'application/json') {
    return server.app.inject({
      method: 'POST',
      url,
      headers: {
        cookie: admin.cookie,
        'x-csrf-token': admin.csrfToken,
        'content-type': contentType,
      },
      payload: body,
    });
  }

  async function expectRejected(
    response: Awaited<ReturnType<typeof sendRaw>>,
    status: number,
    code: string,
  ) {
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json().code).toBe(code);
    expect(response.body).not.toMatch(/at .*\.(js|ts):\d+|SELECT|INSERT|pglite|node_modules/i);
    expect(await countRows(server.db)).toEqual(rowsBefore);
  }

  it('rejects truncated JSON', async () => {
    const text = JSON.stringify(trivyReport('team/api', [['CVE-2024-1', 'openssl', 'HIGH']]));
    const response = await sendRaw(`/api/v1/projects/${projectId}/scans`, text.slice(0, -7));
    await expectRejected(response, 400, 'invalid-json');
  });

  it('rejects an empty JSON body', async () => {
    const response = await sendRaw(`/api/v1/projects/${projectId}/scans`, '');
    await expectRejected(response, 400, 'invalid-json');
  });

  it('rejects a body that is not JSON', async () => {
    const response = await sendRaw('/api/v1/projects', 'slug=x&name=y', 'text/plain');
    await expectRejected(response, 415, 'unsupported-media-type');
  });

  it('rejects wrong types with the field path', async () => {
    const response = await sendRaw('/api/v1/projects', JSON.stringify({ slug: 7, name: 'x' }));
    await expectRejected(response, 400, 'validation-failed');
    expect(response.json().errors[0].path).toBe('body/slug');
  });

  it('rejects unknown fields', async () => {
    const body = JSON.stringify({ slug: 'x', name: 'x', owner: 'someone' });
    await expectRejected(await sendRaw('/api/v1/projects', body), 400, 'validation-failed');
  });

  it('rejects a prototype-polluting key', async () => {
    const body = '{"slug":"x","name":"x","__proto__":{"admin":true}}';
    const response = await sendRaw('/api/v1/projects', body);
    await expectRejected(response, 400, 'validation-failed');
    expect(response.json().detail).toMatch(/"__proto__"/);
    expect(response.json().detail).not.toMatch(/not valid JSON/);
    const constructorBody = '{"slug":"x","name":"x","constructor":{"prototype":{}}}';
    const withConstructor = await sendRaw('/api/v1/projects', constructorBody);
    await expectRejected(withConstructor, 400, 'validation-failed');
    expect(withConstructor.json().detail).toMatch(/"constructor"/);
  });

  it('rejects an audit report with wrong types', async () => {
    const report = { ...auditWithMessage('x'), findings: 'none' };
    const url = `/api/v1/projects/${projectId}/audits`;
    await expectRejected(await sendRaw(url, JSON.stringify(report)), 400, 'validation-failed');
  });

  it('rolls back a rejected audit finding', async () => {
    const url = `/api/v1/projects/${projectId}/audits`;
    const response = await sendRaw(url, JSON.stringify(auditWithMessage('bad\u0000byte')));
    await expectRejected(response, 400, 'validation-failed');
  });

  it('names a NUL character as the cause', async () => {
    const url = `/api/v1/projects/${projectId}/audits`;
    const response = await sendRaw(url, JSON.stringify(auditWithMessage('bad\u0000byte')));
    await expectRejected(response, 400, 'validation-failed');
    expect(response.json().detail).toMatch(/NUL character/);
  });

  it('names a lone surrogate as the cause', async () => {
    const url = `/api/v1/projects/${projectId}/audits`;
    const response = await sendRaw(url, JSON.stringify(auditWithMessage('bad\ud800half')));
    await expectRejected(response, 400, 'validation-failed');
    expect(response.json().detail).toMatch(/unpaired UTF-16 surrogate/);
    expect(response.json().detail).not.toMatch(/NUL/);
    const report = trivyReport('team/api', [['CVE-2024-7', 'bad\ud800pkg', 'LOW']]);
    const scan = await sendRaw(`/api/v1/projects/${projectId}/scans`, JSON.stringify(report));
    await expectRejected(scan, 400, 'validation-failed');
    expect(scan.json().detail).toMatch(/unpaired UTF-16 surrogate/);
  });

  it('rejects a scan report of the wrong shape', async () => {
    const body = JSON.stringify({ SchemaVersion: 2, Results: 'everything is fine' });
    const url = `/api/v1/projects/${projectId}/scans?image=team/api`;
    await expectRejected(await sendRaw(url, body), 422, 'report-invalid');
  });

  it('rejects JSON that is no scan report', async () => {
    const url = `/api/v1/projects/${projectId}/scans?image=team/api`;
    await expectRejected(await sendRaw(url, '{"hello":"world"}'), 422, 'report-invalid');
  });

  it('rejects deeply nested JSON', async () => {
    const url = `/api/v1/projects/${projectId}/scans?image=team/api`;
    const body = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    const response = await sendRaw(url, body);
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    expect(await countRows(server.db)).toEqual(rowsBefore);
  });

  it('rejects deeply nested report values', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const scan = `{"SchemaVersion":2,"ArtifactName":"team/api","Results":[],"Extra":${deep}}`;
    const scans = await sendRaw(`/api/v1/projects/${projectId}/scans?image=team/api`, scan);
    await expectRejected(scans, 422, 'report-invalid');
    expect(scans.json().detail).toMatch(/more than 64 levels/);
    const audit = JSON.stringify(auditWithMessage('x')).replace(/}$/, `,"extra":${deep}}`);
    const audits = await sendRaw(`/api/v1/projects/${projectId}/audits`, audit);
    expect(audits.statusCode).toBeGreaterThanOrEqual(400);
    expect(audits.statusCode).toBeLessThan(500);
    expect(await countRows(server.db)).toEqual(rowsBefore);
  });

  it('rejects a scan report without an image', async () => {
    const report = trivyReport('team/api', [['CVE-2024-1', 'openssl', 'HIGH']]);
    const body = JSON.stringify({ ...report, ArtifactName: undefined });
    const url = `/api/v1/projects/${projectId}/scans`;
    await expectRejected(await sendRaw(url, body), 422, 'image-required');
  });

  it('rejects a scan report with too many entries', async () => {
    const entries = Array.from({ length: 21 }, (_, i): [string, string, string] => [
      `CVE-2024-${i + 100}`,
      'openssl',
      'LOW',
    ]);
    const url = `/api/v1/projects/${projectId}/scans`;
    const response = await sendRaw(url, JSON.stringify(trivyReport('team/api', entries)));
    await expectRejected(response, 422, 'report-too-large');
  });

  it('rejects an oversized request body', async () => {
    const body = JSON.stringify({ slug: 'big', name: 'Big', description: 'x'.repeat(5000) });
    await expectRejected(await sendRaw('/api/v1/projects', body), 413, 'payload-too-large');
  });

  it.skipIf(!corpusAvailable)('rejects an oversized report', async () => {
    const url = `/api/v1/projects/${projectId}/scans`;
    const response = await sendRaw(url, JSON.stringify(readJson(JUICE_SHOP)));
    await expectRejected(response, 413, 'payload-too-large');
  });

  it('rejects malformed path and query parameters', async () => {
    const cases = [
      ['/api/v1/projects/not-a-uuid', 'validation-failed'],
      [`/api/v1/projects/${projectId}/findings?limit=0`, 'validation-failed'],
      [`/api/v1/projects/${projectId}/findings?limit=abc`, 'validation-failed'],
      [`/api/v1/projects/${projectId}/findings?state=bogus`, 'validation-failed'],
      [`/api/v1/projects/${projectId}/findings?color=red`, 'validation-failed'],
      [`/api/v1/projects/${projectId}/findings?cursor=bm90IGpzb24`, 'invalid-cursor'],
      ['/api/v1/projects?cursor=WyJ4Il0', 'invalid-cursor'],
    ] as const;
    for (const [url, code] of cases) {
      const response = await call(server, admin, 'GET', url);
      expect({ url, status: response.statusCode, code: response.json().code }).toEqual({
        url,
        status: 400,
        code,
      });
    }
  });

  it('answers an unknown project with 404', async () => {
    const url = '/api/v1/projects/00000000-0000-4000-8000-000000000000/findings';
    const response = await call(server, admin, 'GET', url);
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('not-found');
  });

  it('logs no server errors', () => {
    const errors = server.logs.filter((line) => (line.level as number) >= 50);
    expect(errors).toEqual([]);
  });
});
