import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { normalizeScanReport, parseScanReport } from '../../src/vulns/parse.js';
import { ReportError } from '../../src/vulns/report-error.js';

function throwsOnlyReportErrors(run: () => unknown): boolean {
  try {
    run();
    return true;
  } catch (error) {
    return error instanceof ReportError;
  }
}

describe('report parser robustness', () => {
  test('arbitrary text never crashes the parser', () => {
    fc.assert(
      fc.property(fc.string(), (text) => throwsOnlyReportErrors(() => parseScanReport(text))),
    );
  });

  test('arbitrary JSON values never crash the parser', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) =>
        throwsOnlyReportErrors(() => normalizeScanReport(value)),
      ),
    );
  });

  test('report-shaped values never crash the parser', () => {
    const vuln = fc.record(
      {
        VulnerabilityID: fc.oneof(fc.string(), fc.integer()),
        PkgName: fc.oneof(fc.string(), fc.constant(null)),
        Severity: fc.oneof(fc.string(), fc.integer()),
        VendorSeverity: fc.dictionary(fc.string(), fc.integer()),
      },
      { requiredKeys: [] },
    );
    const report = fc.record({
      SchemaVersion: fc.constantFrom(2, 1, '2'),
      Results: fc.array(fc.record({ Target: fc.string(), Vulnerabilities: fc.array(vuln) })),
    });
    fc.assert(
      fc.property(report, (value) => throwsOnlyReportErrors(() => normalizeScanReport(value))),
    );
  });

  test('errors name the invalid value', () => {
    const report = {
      SchemaVersion: 2,
      Results: [{ Target: 'x', Vulnerabilities: [{ PkgName: 'a' }] }],
    };
    expect(() => normalizeScanReport(report)).toThrow(/Results\/0\/Vulnerabilities\/0/);
    expect(() => parseScanReport('{"SchemaVersion": 2')).toThrow(/invalid JSON/);
    expect(() => normalizeScanReport({ SchemaVersion: 1 })).toThrow(
      /unsupported Trivy SchemaVersion 1/,
    );
    expect(() => normalizeScanReport({ hello: 1 })).toThrow(/not a Trivy or Grype report/);
  });
});
