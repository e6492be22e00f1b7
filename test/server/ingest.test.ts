import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addUser,
  backendKinds,
  call,
  countRows,
  createTestServer,
  login,
  type Session,
  type TestServer,
  trivyReport,
} from './helpers.js';

const HOUR_MS = 3_600_000;

interface FindingItem {
  vulnId: string;
  packageName: string;
  status: string;
  state: string;
  openIn: string[];
  reopenCount: number;
}

function grypeReport(image: string, matches: Array<[id: string, pkg: string, severity: string]>) {
  return {
    matches: matches.map(([id, pkg, severity]) => ({
      vulnerability: {
        id,
        dataSource: `https://nvd.nist.gov/vuln/detail/${id}`,
        severity,
        fix: { versions: ['1.0.1'], state: 'fixed' },
      },
      relatedVulnerabilities: [],
      artifact: {
        name: pkg,
        version: '1.0.0',
        type: 'deb',
        locations: [],
        purl: `pkg:deb/debian/${pkg}@1.0.0`,
      },
    })),
    source: { type: 'image', target: { userInput: `${image}:1.0`, imageID: 'sha256:abc' } },
    descriptor: { name: 'grype', version: '0.80.0' },
  };
}

describe.each(backendKinds())('scan ingestion on %s', (kind) => {
  let server: TestServer;
  let admin: Session;
  let projectId: string;
  let clock = new Date();

  async function upload(report: unknown, query = '') {
    return call(server, admin, 'POST', `/api/v1/projects/${projectId}/scans${query}`, report);
  }

  async function findings(image: string): Promise<FindingItem[]> {
    const url = `/api/v1/projects/${projectId}/findings?limit=200&image=${image}`;
    return (await call(server, admin, 'GET', url)).json().items;
  }

  beforeAll(async () => {
    server = await createTestServer(kind, { now: () => clock });
    await addUser(server, 'admin@example.test', 'admin');
    admin = await login(server, 'admin@example.test');
    const project = await call(server, admin, 'POST', '/api/v1/projects', {
      slug: 'ingest',
      name: 'Ingest',
    });
    projectId = project.json().id;
  });

  afterAll(async () => {
    await server?.close();
  });

  it('marks absent findings fixed and reopens them', async () => {
    const at = (hours: number) => new Date(clock.getTime() + hours * HOUR_MS).toISOString();
    const both: Array<[string, string, string]> = [
      ['CVE-2024-0001', 'openssl', 'HIGH'],
      ['CVE-2024-0002', 'zlib', 'MEDIUM'],
    ];
    const first = await upload(trivyReport('team/api', both, at(0)));
    expect(first.json().scan.newCount).toBe(2);

    clock = new Date(clock.getTime() + HOUR_MS);
    const second = await upload(trivyReport('team/api', [both[0]!], at(1)));
    expect(second.json().scan.fixedCount).toBe(1);
    const afterFix = await findings('team/api');
    const zlib = afterFix.find((finding) => finding.packageName === 'zlib');
    expect(zlib?.status).toBe('fixed');
    expect(zlib?.state).toBe('fixed');

    clock = new Date(clock.getTime() + HOUR_MS);
    const third = await upload(trivyReport('team/api', both, at(2)));
    expect(third.json().scan.reopenedCount).toBe(1);
    const reopened = (await findings('team/api')).find((f) => f.packageName === 'zlib');
    expect(reopened?.status).toBe('open');
    expect(reopened?.reopenCount).toBe(1);
  });

  it('stores an older report without changing findings', async () => {
    const before = await findings('team/api');
    const old = trivyReport('team/api', [], new Date(clock.getTime() - 48 * HOUR_MS).toISOString());
    const response = await upload(old);
    expect(response.statusCode).toBe(201);
    expect(response.json().scan.stale).toBe(true);
    expect(await findings('team/api')).toEqual(before);
  });

  it('treats reformatted JSON as the same report', async () => {
    const report = trivyReport('team/web', [['CVE-2024-0100', 'curl', 'LOW']]);
    const first = await server.app.inject({
      method: 'POST',
      url: `/api/v1/projects/${projectId}/scans`,
      headers: {
        cookie: admin.cookie,
        'x-csrf-token': admin.csrfToken,
        'content-type': 'application/json',
      },
      payload: JSON.stringify(report),
    });
    expect(first.statusCode).toBe(201);
    const pretty = await server.app.inject({
      method: 'POST',
      url: `/api/v1/projects/${projectId}/scans`,
      headers: {
        cookie: admin.cookie,
        'x-csrf-token': admin.csrfToken,
        'content-type': 'application/json',
      },
      payload: JSON.stringify(report, null, 2),
    });
    expect(pretty.statusCode).toBe(200);
    expect(pretty.json().scan.id).toBe(first.json().scan.id);
  });

  it('stores one scan for parallel identical uploads', async () => {
    const report = trivyReport('team/worker', [['CVE-2024-0200', 'glibc', 'CRITICAL']]);
    const before = await countRows(server.db);
    const responses = await Promise.all([upload(report), upload(report), upload(report)]);
    const statuses = responses.map((response) => response.statusCode).sort();
    expect(statuses).toEqual([200, 200, 201]);
    const after = await countRows(server.db);
    expect(after.scans).toBe(before.scans + 1);
    expect(after.vuln_findings).toBe(before.vuln_findings + 1);
  });

  it('merges Trivy and Grype reports of the same flaw', async () => {
    const trivy = await upload(trivyReport('team/db', [['CVE-2024-0300', 'libpq5', 'HIGH']]));
    expect(trivy.statusCode).toBe(201);
    const grype = await upload(grypeReport('team/db', [['CVE-2024-0300', 'libpq5', 'High']]));
    expect(grype.statusCode).toBe(201);
    const items = await findings('team/db');
    expect(items).toHaveLength(1);
    expect(items[0]?.openIn.sort()).toEqual(['grype', 'trivy']);
  });

  it('takes the image from the query when the report has none', async () => {
    const report = { ...trivyReport('x', [['CVE-2024-0400', 'bash', 'LOW']]), ArtifactName: null };
    const response = await upload(report, '?image=team/batch');
    expect(response.statusCode).toBe(201);
    expect(response.json().scan.imageRepository).toBe('team/batch');
  });

  it('stores one report for two images', async () => {
    const report = { ...trivyReport('x', [['CVE-2024-0500', 'zlib', 'HIGH']]), ArtifactName: null };
    const alpha = await upload(report, '?image=team/alpha');
    expect(alpha.statusCode).toBe(201);
    const beta = await upload(report, '?image=team/beta');
    expect(beta.statusCode).toBe(201);
    expect(beta.json().duplicate).toBe(false);
    expect(beta.json().scan.imageRepository).toBe('team/beta');
    expect(beta.json().scan.id).not.toBe(alpha.json().scan.id);
    expect(await findings('team/beta')).toHaveLength(1);
    const again = await upload(report, '?image=team/beta');
    expect(again.statusCode).toBe(200);
    expect(again.json().scan.id).toBe(beta.json().scan.id);
  });

  it('reports new and resolved audit findings', async () => {
    const finding = (ruleId: string, fingerprint: string) => ({
      ruleId,
      kind: 'misconfiguration',
      severity: 'high',
      layer: 'container',
      control: 'container.non-root',
      message: `${ruleId} failed`,
      fingerprint,
    });
    const audit = (items: unknown[]) => ({
      schemaVersion: '1.0.0',
      tool: { name: 'infraprime', version: '0.1.0' },
      root: '/srv/app',
      generatedAt: new Date().toISOString(),
      summary: {
        files: 1,
        findings: items.length,
        suppressed: 0,
        bySeverity: { info: 0, low: 0, medium: 0, high: items.length, critical: 0 },
      },
      findings: items,
    });
    const a = finding('DF001', 'a'.repeat(32));
    const b = finding('DF002', 'b'.repeat(32));
    const c = finding('DF003', 'c'.repeat(32));
    const url = `/api/v1/projects/${projectId}/audits`;
    expect((await call(server, admin, 'POST', url, audit([a, b]))).json().newCount).toBe(2);
    clock = new Date(clock.getTime() + 1000);
    const second = (await call(server, admin, 'POST', url, audit([b, c]))).json();
    expect(second.newCount).toBe(1);
    expect(second.resolvedCount).toBe(1);
  });
});
