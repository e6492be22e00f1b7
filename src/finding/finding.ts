import * as crypto from 'node:crypto';

/** Version of the finding shape and of the JSON report; bump on any incompatible change. */
export const FINDING_SCHEMA_VERSION = '1.0.0';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Baseline layers, in the order the security document lists them, plus the processes around them. */
export const LAYERS = [
  'proxy',
  'application',
  'container',
  'network',
  'data',
  'monitoring',
  'vulnerability-management',
  'checklist',
] as const;
export type Layer = (typeof LAYERS)[number];

export type FindingKind = 'misconfiguration' | 'parse-error' | 'input-error' | 'vulnerability';

/** A span in a file: 1-based lines and columns, end column exclusive. */
export interface Location {
  path: string;
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

export interface Suppression {
  kind: 'inline' | 'config' | 'accepted';
  reason: string;
  /** ISO date after which an accepted finding is reported again. */
  expires?: string;
}

/** The one finding shape shared by the CLI, SARIF, the API and the UI. */
export interface Finding {
  ruleId: string;
  kind: FindingKind;
  severity: Severity;
  layer: Layer;
  /** Baseline control the rule enforces, as a short kebab-case id such as `container.non-root`. */
  control: string;
  message: string;
  location?: Location;
  /** Other places that take part in the same problem, such as the Dockerfile behind a service. */
  related?: Array<{ message: string; location: Location }>;
  /** The offending text or value, secrets masked. */
  evidence?: string;
  fingerprint: string;
  suppression?: Suppression;
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

/**
 * Computes a fingerprint that survives edits elsewhere in the file: it hashes the rule, the
 * path and a stable key chosen by the rule (a service name, a directive path), not the line.
 */
export function fingerprintOf(ruleId: string, path: string, key: string): string {
  return sha256Hex(`${ruleId}\0${path}\0${key}`).slice(0, 32);
}

// crypto.hash, one call without a Hash object, took about half the time of createHash on the
// 15,000 findings of a large audit. It exists from Node.js 20.12; older releases use createHash.
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string) => string }).hash;

function sha256Hex(data: string): string {
  return oneShotHash
    ? oneShotHash('sha256', data)
    : crypto.createHash('sha256').update(data).digest('hex');
}

export function compareFindings(a: Finding, b: Finding): number {
  const pathA = a.location?.path ?? '';
  const pathB = b.location?.path ?? '';
  if (pathA !== pathB) return pathA < pathB ? -1 : 1;
  const lineDelta = (a.location?.startLine ?? 0) - (b.location?.startLine ?? 0);
  if (lineDelta !== 0) return lineDelta;
  const columnDelta = (a.location?.startColumn ?? 0) - (b.location?.startColumn ?? 0);
  if (columnDelta !== 0) return columnDelta;
  return a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0;
}
