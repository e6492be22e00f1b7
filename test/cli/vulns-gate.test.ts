import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRepo, runCli } from './run-cli.js';

interface Vulnerability {
  id: string;
  severity: string;
  fixed?: string;
}

/** Builds a Trivy SchemaVersion 2 report of one image with the given vulnerabilities. */
function trivyReport(
  vulnerabilities: Vulnerability[],
  artifact = 'ghcr.io/acme/api:1.4.2',
): string {
  return JSON.stringify({
    SchemaVersion: 2,
    ArtifactName: artifact,
    ArtifactType: 'container_image',
    Results: [
      {
        Target: `${artifact} (debian 12.7)`,
        Class: 'os-pkgs',
        Type: 'debian',
        Vulnerabilities: vulnerabilities.map((vulnerability) => ({
          VulnerabilityID: vulnerability.id,
          PkgName: 'openssl',
          InstalledVersion: '3.0.14-1',
          ...(vulnerability.fixed ? { FixedVersion: vulnerability.fixed } : {}),
          Severity: vulnerability.severity,
          Title: 'openssl flaw',
        })),
      },
    ],
  });
}

function gate(root: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return runCli(['vulns', 'gate', ...args, '--state', join(root, 'state.json')], {
    env,
    cwd: root,
  });
}

describe('vulns gate', () => {
  it('fails at once on a critical finding', () => {
    const root = makeRepo({
      'trivy.json': trivyReport([{ id: 'CVE-2024-0001', severity: 'CRITICAL', fixed: '3.0.15-1' }]),
    });
    const result = gate(root, ['trivy.json']);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('CVE-2024-0001');
    expect(result.stdout).toContain('critical');
    expect(result.stdout).toContain('gate failed for ghcr.io/acme/api: 1 finding(s)');
  });

  it('fails a medium finding after seven days', () => {
    const root = makeRepo({
      'trivy.json': trivyReport([{ id: 'CVE-2024-0002', severity: 'MEDIUM', fixed: '3.0.15-1' }]),
    });
    const first = gate(root, ['trivy.json', '--now', '2026-11-01T00:00:00Z']);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('gate passed');

    const sixDaysLater = gate(root, ['trivy.json', '--now', '2026-11-07T00:00:00Z']);
    expect(sixDaysLater.status).toBe(0);

    const eightDaysLater = gate(root, ['trivy.json', '--now', '2026-11-09T00:00:00Z']);
    expect(eightDaysLater.status).toBe(1);
    expect(eightDaysLater.stdout).toContain('overdue, due 2026-11-08T00:00:00.000Z');
  });

  it('keeps first-seen times in the state file', () => {
    const root = makeRepo({
      'trivy.json': trivyReport([{ id: 'CVE-2024-0003', severity: 'HIGH', fixed: '3.0.15-1' }]),
    });
    gate(root, ['trivy.json', '--now', '2026-11-01T00:00:00Z']);
    const state = JSON.parse(readFileSync(join(root, 'state.json'), 'utf8'));
    const findings = state.images['ghcr.io/acme/api'].findings;
    expect(findings).toHaveLength(1);
    expect(findings[0].firstSeenAt).toBe('2026-11-01T00:00:00.000Z');
  });

  it('passes a critical finding that is accepted', () => {
    const root = makeRepo({
      'trivy.json': trivyReport([{ id: 'CVE-2024-0004', severity: 'CRITICAL' }]),
      'accepted.yaml':
        'acceptances:\n  - vulnId: CVE-2024-0004\n    reason: not reachable from the API\n    expires: 2027-01-31\n',
    });
    const result = gate(root, [
      'trivy.json',
      '--acceptances',
      'accepted.yaml',
      '--now',
      '2026-12-01T00:00:00Z',
    ]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('1 accepted');
  });

  it('reports blocking findings as JSON', () => {
    const root = makeRepo({
      'trivy.json': trivyReport([{ id: 'CVE-2024-0005', severity: 'CRITICAL', fixed: '3.0.15-1' }]),
    });
    const result = gate(root, ['trivy.json', '--format', 'json']);
    expect(result.status).toBe(1);
    const body = JSON.parse(result.stdout);
    expect(body.passed).toBe(false);
    expect(body.blocking[0].vulnId).toBe('CVE-2024-0005');
    expect(body.blocking[0].reasons).toEqual(['overdue', 'critical']);
  });

  it.each([
    [
      'an invalid report',
      { 'report.json': '{"not": "a report"}' },
      ['report.json'],
      'not a Trivy or Grype report',
    ],
    [
      'a truncated report',
      { 'report.json': '{"SchemaVersion": 2, "Resu' },
      ['report.json'],
      'invalid JSON',
    ],
    ['a missing report', {}, ['missing.json'], "cannot read report 'missing.json' (ENOENT)"],
    [
      'an unnamed image',
      { 'report.json': JSON.stringify({ SchemaVersion: 2, Results: [] }) },
      ['report.json'],
      'does not name its image',
    ],
    [
      'a server without a token',
      { 'report.json': trivyReport([]) },
      ['report.json', '--server', 'http://127.0.0.1:9'],
      'INFRAPRIME_TOKEN is not set',
    ],
  ])('rejects %s with exit 2', (_, files, args, message) => {
    const root = makeRepo(files as Record<string, string>);
    const result = gate(root, args as string[], { INFRAPRIME_TOKEN: '' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain('    at ');
  });

  it('rejects a state path that is a folder', () => {
    const root = makeRepo({ 'trivy.json': trivyReport([]), 'state/keep': '' });
    const result = runCli(['vulns', 'gate', 'trivy.json', '--state', 'state'], { cwd: root });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("cannot read state file 'state' (EISDIR)");
    expect(result.stderr).not.toContain('    at ');
  });

  it('rejects a state file it cannot write', () => {
    const root = makeRepo({ 'trivy.json': trivyReport([]), blocker: 'a file, not a folder' });
    const result = runCli(['vulns', 'gate', 'trivy.json', '--state', 'blocker/state.json'], {
      cwd: root,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("state file 'blocker/state.json' (ENOTDIR)");
    expect(result.stderr).not.toContain('    at ');
  });

  it('leaves a corrupt state file alone with exit 2', () => {
    const root = makeRepo({ 'trivy.json': trivyReport([]), 'state.json': '{broken' });
    const result = gate(root, ['trivy.json']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('is not valid JSON');
    expect(readFileSync(join(root, 'state.json'), 'utf8')).toBe('{broken');
  });
});

const CORPUS_REPORT = join(
  import.meta.dirname,
  '../../../shared/corpus/scan-reports/trivy/securecodebox-juice-shop-v12.10.2-alpine-node.json',
);

describe('vulns gate on a real report', () => {
  it.skipIf(!existsSync(CORPUS_REPORT))('blocks the critical findings of juice-shop', () => {
    const root = makeRepo({});
    const result = gate(root, [CORPUS_REPORT, '--format', 'json']);
    expect(result.status).toBe(1);
    const body = JSON.parse(result.stdout);
    expect(body.image).toBe('bkimminich/juice-shop');
    expect(
      body.blocking.every((entry: { severity: string }) => entry.severity === 'critical'),
    ).toBe(true);
    expect(body.blocking.length).toBeGreaterThan(0);
  });
});
