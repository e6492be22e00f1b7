import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseScanReport } from '../../src/vulns/parse.js';
import { readCorpusEntries, SCAN_REPORTS_DIR } from './corpus.js';

const entries = readCorpusEntries();

describe('scan-report corpus', () => {
  test('SOURCE.md lists every report', () => {
    expect(entries.map((entry) => entry.file).sort()).toHaveLength(11);
  });

  test.each(entries)('$file matches SOURCE.md counts', (entry) => {
    const report = parseScanReport(readFileSync(join(SCAN_REPORTS_DIR, entry.file), 'utf8'));
    expect(report.scanner).toBe(entry.scanner);
    expect(report.vulnerabilities).toHaveLength(entry.total);
    const bySeverity: Record<string, number> = {};
    for (const vuln of report.vulnerabilities) {
      bySeverity[vuln.scannerSeverity] = (bySeverity[vuln.scannerSeverity] ?? 0) + 1;
    }
    expect(bySeverity).toEqual(entry.bySeverity);
  });

  test('legacy Trivy array reads the OS family from the target', () => {
    const text = readFileSync(
      join(SCAN_REPORTS_DIR, 'trivy/defectdojo-legacy-array-debian-10.json'),
      'utf8',
    );
    const report = parseScanReport(text);
    expect(report.format).toBe('trivy-legacy');
    expect(report.imageRepository).toBeNull();
    expect(new Set(report.vulnerabilities.map((v) => v.packageLocation))).toEqual(
      new Set(['os:deb']),
    );
  });

  test('Grype match without severity becomes info', () => {
    const text = readFileSync(
      join(SCAN_REPORTS_DIR, 'grype/defectdojo-grype-rhel-8.7-java-issue-9618.json'),
      'utf8',
    );
    const report = parseScanReport(text);
    const missing = report.vulnerabilities.filter((v) => v.scannerSeverity === '');
    expect(missing.map((v) => [v.vulnId, v.severity])).toEqual([['CVE-2024-26308', 'info']]);
    expect(report.imageRepository).toBe('quay.io/cloudservices/xjoin-kafka-connect-strimzi');
  });

  test('Grype empty fix state means no fix', () => {
    const text = readFileSync(
      join(SCAN_REPORTS_DIR, 'grype/defectdojo-grype-busybox-epss.json'),
      'utf8',
    );
    const report = parseScanReport(text);
    expect(report.vulnerabilities.filter((v) => v.hasFix)).toHaveLength(1);
  });

  test('repository scans locate packages by lockfile', () => {
    const text = readFileSync(
      join(SCAN_REPORTS_DIR, 'trivy/securecodebox-repo-scan-lockfiles.json'),
      'utf8',
    );
    const report = parseScanReport(text);
    const locations = new Set(report.vulnerabilities.map((v) => v.packageLocation));
    expect(locations).toContain(
      'auto-discovery/kubernetes/pull-secret-extractor/integration-test/package-lock.json',
    );
    expect([...locations].filter((location) => location.startsWith('pkg:'))).toEqual([]);
  });
});
