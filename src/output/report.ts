import {
  FINDING_SCHEMA_VERSION,
  type Finding,
  SEVERITIES,
  type Severity,
  severityRank,
} from '../finding/finding.js';
import { VERSION } from '../version.js';

/** The JSON report of one audit; its schema is `schema/audit-report.v1.json`. */
export interface AuditReport {
  schemaVersion: string;
  tool: { name: 'infraprime'; version: string };
  root: string;
  generatedAt: string;
  summary: {
    files: number;
    findings: number;
    suppressed: number;
    bySeverity: Record<Severity, number>;
  };
  findings: Finding[];
}

export function createReport(
  root: string,
  files: number,
  findings: Finding[],
  now = new Date(),
): AuditReport {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  let suppressed = 0;
  for (const finding of findings) {
    if (finding.suppression) suppressed++;
    else bySeverity[finding.severity]++;
  }
  return {
    schemaVersion: FINDING_SCHEMA_VERSION,
    tool: { name: 'infraprime', version: VERSION },
    root,
    generatedAt: now.toISOString(),
    summary: { files, findings: findings.length - suppressed, suppressed, bySeverity },
    findings,
  };
}

/**
 * Returns the findings that make the exit code 1: unsuppressed misconfigurations at or above
 * `threshold`. Files that could not be read or parsed make it 2 instead, so they are left out.
 */
export function failingFindings(findings: Finding[], threshold: Severity): Finding[] {
  const minimum = severityRank(threshold);
  return findings.filter(
    (f) =>
      !f.suppression &&
      f.kind !== 'input-error' &&
      f.kind !== 'parse-error' &&
      severityRank(f.severity) >= minimum,
  );
}
