import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditPath } from '../../src/audit/engine.js';
import { createReport } from '../../src/output/report.js';
import {
  addUser,
  BUSYBOX_GRYPE,
  backendKinds,
  call,
  corpusAvailable,
  countRows,
  createTestServer,
  JUICE_SHOP,
  login,
  readAllPages,
  readJson,
  type Session,
  type TestServer,
} from './helpers.js';

const HOUR_MS = 3_600_000;
const AUDITED_FOLDER = join(import.meta.dirname, '..', 'fixtures', 'rules', 'NG001', 'fail');

interface FindingItem {
  id: string;
  severity: string;
  state: string;
  vulnId: string;
  packageName: string;
  imageRepository: string;
}

function auditReport() {
  const result = auditPath(AUDITED_FOLDER);
  return createReport(result.root, result.files.size, result.findings, new Date());
}

describe.skipIf(!corpusAvailable).each(backendKinds())('console flow on %s', (kind) => {
  let server: TestServer;
  let admin: Session;
  let projectId: string;
  let clock = new Date();

  beforeAll(async () => {
    server = await createTestServer(kind, { now: () => clock });
    await addUser(server, 'admin@example.test', 'admin');
    admin = await login(server, 'admin@example.test');
  });

  afterAll(async () => {
    await server?.close();
  });

  it('creates a project', async () => {
    const response = await call(server, admin, 'POST', '/api/v1/projects', {
      slug: 'shop',
      name: 'Shop',
    });
    expect(response.statusCode).toBe(201);
    projectId = response.json().id;
    expect(response.json().slaPolicy.deadlines).toEqual({
      critical: 0,
      high: 24,
      medium: 168,
      low: 720,
      info: null,
    });
  });

  it('ingests an audit report once', async () => {
    const report = auditReport();
    expect(report.findings.length).toBeGreaterThan(0);
    const url = `/api/v1/projects/${projectId}/audits`;
    const first = await call(server, admin, 'POST', url, report);
    expect(first.statusCode).toBe(201);
    expect(first.json().duplicate).toBe(false);
    expect(first.json().audit.findingsCount).toBe(report.findings.length);

    const before = await countRows(server.db);
    const again = await call(server, admin, 'POST', url, report);
    expect(again.statusCode).toBe(200);
    expect(again.json().duplicate).toBe(true);
    expect(again.json().audit.id).toBe(first.json().audit.id);
    expect(await countRows(server.db)).toEqual(before);

    const findings = await readAllPages(
      server,
      admin,
      `${url}/${first.json().audit.id}/findings?limit=2`,
    );
    expect(findings.map((finding) => (finding as { ruleId: string }).ruleId)).toEqual(
      report.findings.map((finding) => finding.ruleId),
    );
  });

  it('lists critical Trivy findings as overdue', async () => {
    const url = `/api/v1/projects/${projectId}/scans`;
    const response = await call(server, admin, 'POST', url, readJson(JUICE_SHOP));
    expect(response.statusCode).toBe(201);
    const { scan } = response.json();
    expect(scan.imageRepository).toBe('bkimminich/juice-shop');
    expect(scan.scanner).toBe('trivy');
    expect(scan.newCount).toBeGreaterThan(0);
    expect(scan.newCount).toBe(scan.findingCount);

    const findingsUrl = `/api/v1/projects/${projectId}/findings`;
    const all = await readAllPages<FindingItem>(server, admin, `${findingsUrl}?limit=200`);
    expect(all).toHaveLength(scan.findingCount);
    const critical = all.filter((finding) => finding.severity === 'critical');
    expect(critical.length).toBeGreaterThan(0);

    const overdue = await readAllPages<FindingItem>(server, admin, `${findingsUrl}?state=overdue`);
    expect(overdue.map((finding) => finding.id).sort()).toEqual(
      critical.map((finding) => finding.id).sort(),
    );
    expect(overdue.every((finding) => finding.state === 'overdue')).toBe(true);
  });

  it('counts high findings as overdue after 24 hours', async () => {
    clock = new Date(clock.getTime() + 25 * HOUR_MS);
    // Sessions end 12 hours after login by default, so the jump needs a new one.
    admin = await login(server, 'admin@example.test');
    const findingsUrl = `/api/v1/projects/${projectId}/findings`;
    const all = await readAllPages<FindingItem>(server, admin, `${findingsUrl}?limit=200`);
    const expected = all.filter((f) => f.severity === 'critical' || f.severity === 'high');
    const overdue = await readAllPages<FindingItem>(
      server,
      admin,
      `${findingsUrl}?state=overdue&limit=7`,
    );
    expect(overdue).toHaveLength(expected.length);
    expect(new Set(overdue.map((finding) => finding.id)).size).toBe(expected.length);
    const highOnly = await readAllPages<FindingItem>(
      server,
      admin,
      `${findingsUrl}?state=overdue&severity=high`,
    );
    expect(highOnly.every((finding) => finding.severity === 'high')).toBe(true);
  });

  it('changes nothing when the same scan arrives again', async () => {
    const url = `/api/v1/projects/${projectId}/scans`;
    const findingsUrl = `/api/v1/projects/${projectId}/findings?limit=200`;
    const before = await countRows(server.db);
    const findingsBefore = await readAllPages(server, admin, findingsUrl);
    const again = await call(server, admin, 'POST', url, readJson(JUICE_SHOP));
    expect(again.statusCode).toBe(200);
    expect(again.json().duplicate).toBe(true);
    expect(await countRows(server.db)).toEqual(before);
    expect(await readAllPages(server, admin, findingsUrl)).toEqual(findingsBefore);
  });

  it('ingests a Grype report for another image', async () => {
    const url = `/api/v1/projects/${projectId}/scans`;
    const response = await call(server, admin, 'POST', url, readJson(BUSYBOX_GRYPE));
    expect(response.statusCode).toBe(201);
    expect(response.json().scan.scanner).toBe('grype');
    expect(response.json().scan.imageRepository).toBe('busybox');
    const scans = await readAllPages(server, admin, `${url}?limit=1`);
    expect(scans).toHaveLength(2);
  });

  it('removes accepted findings from overdue', async () => {
    const findingsUrl = `/api/v1/projects/${projectId}/findings`;
    const overdue = await readAllPages<FindingItem>(
      server,
      admin,
      `${findingsUrl}?state=overdue&image=bkimminich/juice-shop`,
    );
    const target = overdue[0] as FindingItem;
    const response = await call(
      server,
      admin,
      'POST',
      `/api/v1/projects/${projectId}/acceptances`,
      {
        kind: 'risk-accepted',
        vulnId: target.vulnId,
        packageName: target.packageName,
        imageRepository: target.imageRepository,
        reason: 'Not reachable: the vulnerable code path is never called.',
        expiresAt: new Date(clock.getTime() + 7 * 24 * HOUR_MS).toISOString(),
      },
    );
    expect(response.statusCode).toBe(201);

    const finding = await call(server, admin, 'GET', `${findingsUrl}/${target.id}`);
    expect(finding.json().state).toBe('accepted');
    const after = await readAllPages<FindingItem>(
      server,
      admin,
      `${findingsUrl}?state=overdue&image=bkimminich/juice-shop`,
    );
    expect(after.some((item) => item.id === target.id)).toBe(false);

    const revoked = await call(
      server,
      admin,
      'DELETE',
      `/api/v1/projects/${projectId}/acceptances/${response.json().id}`,
    );
    expect(revoked.statusCode).toBe(200);
    const restored = await call(server, admin, 'GET', `${findingsUrl}/${target.id}`);
    expect(restored.json().state).toBe('overdue');
  });

  it('records security events for the flow', async () => {
    const events = await readAllPages<{ type: string; outcome: string }>(
      server,
      admin,
      '/api/v1/security-events?limit=100',
    );
    const types = new Set(events.map((event) => event.type));
    expect(types.has('login.succeeded')).toBe(true);
    expect(types.has('acceptance.created')).toBe(true);
    expect(types.has('acceptance.revoked')).toBe(true);
    const logins = await readAllPages<{ type: string }>(
      server,
      admin,
      '/api/v1/security-events?type=login.succeeded',
    );
    expect(logins.every((event) => event.type === 'login.succeeded')).toBe(true);
  });
});
