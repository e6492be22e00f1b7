import { describe, expect, test } from 'vitest';
import { parseScanReport } from '../../src/vulns/parse.js';
import { mergeObserved, reconcileScan } from '../../src/vulns/reconcile.js';
import { observed, sequentialIds, tracked } from './helpers.js';

const at = new Date('2026-02-01T00:00:00Z');

describe('mergeObserved', () => {
  test('merges a GHSA and a CVE the scanner links', () => {
    const merged = mergeObserved([
      observed({ aliases: ['GHSA-aaaa'], severity: 'medium' }),
      observed({ aliases: ['CVE-2024-9', 'GHSA-aaaa'], severity: 'high' }),
    ]);
    expect(merged).toHaveLength(1);
    expect(merged[0]?.vulnId).toBe('CVE-2024-9');
    expect(merged[0]?.aliases).toEqual(['CVE-2024-9', 'GHSA-aaaa']);
    expect(merged[0]?.severity).toBe('high');
  });

  test('keeps the same flaw in two packages apart', () => {
    const merged = mergeObserved([
      observed({ packageName: 'openssl' }),
      observed({ packageName: 'libssl3' }),
    ]);
    expect(merged).toHaveLength(2);
  });

  test('keeps CVEs sharing only an advisory apart', () => {
    const merged = mergeObserved([
      observed({ aliases: ['CVE-2024-1', 'RHSA-2024:1'] }),
      observed({ aliases: ['CVE-2024-2', 'RHSA-2024:1'] }),
    ]);
    expect(merged).toHaveLength(2);
  });
});

describe('reconcileScan', () => {
  test('creates findings first seen now', () => {
    const result = reconcileScan([], [observed()], {
      scanner: 'trivy',
      at,
      newId: sequentialIds(),
    });
    expect(result.created).toHaveLength(1);
    expect(result.created[0]?.firstSeenAt).toEqual(at);
    expect(result.created[0]?.openIn).toEqual(['trivy']);
  });

  test('keeps first-seen across version and title changes', () => {
    const existing = [tracked()];
    const result = reconcileScan(
      existing,
      [observed({ installedVersion: '3.0.12-1', title: 'new title' })],
      { scanner: 'trivy', at, newId: sequentialIds() },
    );
    expect(result.created).toEqual([]);
    expect(result.updated[0]?.firstSeenAt).toEqual(existing[0]?.firstSeenAt);
    expect(result.updated[0]?.installedVersion).toBe('3.0.12-1');
    expect(result.updated[0]?.lastSeenAt).toEqual(at);
  });

  test('matches a finding through a learned alias', () => {
    const existing = [tracked({ vulnId: 'GHSA-aaaa', aliases: ['GHSA-aaaa'] })];
    const result = reconcileScan(existing, [observed({ aliases: ['CVE-2024-7', 'GHSA-aaaa'] })], {
      scanner: 'grype',
      at,
      newId: sequentialIds(),
    });
    expect(result.created).toEqual([]);
    expect(result.updated[0]?.vulnId).toBe('CVE-2024-7');
    expect(result.updated[0]?.openIn).toEqual(['grype', 'trivy']);
  });

  test('fixes a finding absent from a newer scan', () => {
    const result = reconcileScan([tracked()], [], { scanner: 'trivy', at, newId: sequentialIds() });
    expect(result.fixed).toBe(1);
    expect(result.updated[0]?.status).toBe('fixed');
    expect(result.updated[0]?.fixedAt).toEqual(at);
  });

  test('keeps a finding open while another scanner reports it', () => {
    const existing = [tracked({ openIn: ['grype', 'trivy'] })];
    const result = reconcileScan(existing, [], { scanner: 'trivy', at, newId: sequentialIds() });
    expect(result.fixed).toBe(0);
    expect(result.updated[0]?.status).toBe('open');
    expect(result.updated[0]?.openIn).toEqual(['grype']);
  });

  test('reopens a fixed finding that returns', () => {
    const existing = [tracked({ status: 'fixed', openIn: [], fixedAt: new Date('2026-01-15Z') })];
    const result = reconcileScan(existing, [observed()], {
      scanner: 'trivy',
      at,
      newId: sequentialIds(),
    });
    expect(result.reopened).toBe(1);
    expect(result.updated[0]).toMatchObject({ status: 'open', reopenCount: 1, fixedAt: null });
    expect(result.updated[0]?.reopenedAt).toEqual(at);
  });

  test('leaves unchanged findings out of updated', () => {
    const fixed = tracked({ id: 'f2', status: 'fixed', openIn: [], packageName: 'zlib' });
    const result = reconcileScan([fixed], [], { scanner: 'trivy', at, newId: sequentialIds() });
    expect(result.updated).toEqual([]);
  });
});

describe('large single-package report', () => {
  /** Builds a Trivy report with `count` distinct CVEs, all in one package. */
  function trivyReport(count: number): string {
    const vulnerabilities = Array.from({ length: count }, (_, index) => ({
      VulnerabilityID: `CVE-2024-${100_000 + index}`,
      PkgName: 'openssl',
      InstalledVersion: '3.0.11-1',
      FixedVersion: '3.0.13-1',
      Severity: 'HIGH',
    }));
    const result = {
      Target: 'debian 12',
      Class: 'os-pkgs',
      Type: 'debian',
      Vulnerabilities: vulnerabilities,
    };
    return JSON.stringify({ SchemaVersion: 2, ArtifactName: 'app:1', Results: [result] });
  }

  // The bound is far above the linear cost (well under a second) and far below the quadratic
  // one (minutes for 20,000 entries), so machine speed does not decide the outcome.
  test('reconciles 20,000 CVEs in linear time', () => {
    const started = performance.now();
    const report = parseScanReport(trivyReport(20_000));
    const options = { scanner: 'trivy' as const, at, newId: sequentialIds() };
    const first = reconcileScan([], report.vulnerabilities, options);
    const second = reconcileScan(first.created, report.vulnerabilities, options);
    const elapsed = performance.now() - started;
    expect(first.created).toHaveLength(20_000);
    expect(second.created).toHaveLength(0);
    expect(second.seenIds).toHaveLength(20_000);
    expect(elapsed).toBeLessThan(3_000);
  });
});
