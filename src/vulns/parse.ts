import { Compile } from 'typebox/compile';
import { normalizeGrypeReport } from './grype.js';
import { ReportError } from './report-error.js';
import {
  type GrypeReport,
  GrypeReportSchema,
  TrivyLegacyReportSchema,
  type TrivyReport,
  TrivyReportSchema,
  type TrivyResult,
} from './schemas.js';
import { normalizeTrivyLegacyReport, normalizeTrivyReport } from './trivy.js';
import type { NormalizedReport } from './types.js';

const checkTrivy = Compile(TrivyReportSchema);
const checkTrivyLegacy = Compile(TrivyLegacyReportSchema);
const checkGrype = Compile(GrypeReportSchema);

type Validator = typeof checkTrivy | typeof checkTrivyLegacy | typeof checkGrype;

function assertValid(validator: Validator, value: unknown, kind: string): void {
  if (validator.Check(value)) return;
  const [first] = validator.Errors(value);
  const where = first?.instancePath || '/';
  throw new ReportError(`invalid ${kind} report: ${first?.message ?? 'does not match'}`, where);
}

/** Names the report format, or null when the value is neither Trivy nor Grype output. */
export function detectReportFormat(value: unknown): NormalizedReport['format'] | null {
  if (Array.isArray(value)) return 'trivy-legacy';
  if (value === null || typeof value !== 'object') return null;
  if ('SchemaVersion' in value || 'Results' in value) return 'trivy-v2';
  if ('matches' in value) return 'grype';
  return null;
}

/**
 * Validates and normalises a parsed Trivy (SchemaVersion 2 or the legacy array) or Grype
 * report. Throws ReportError naming the JSON pointer of the first invalid value.
 */
export function normalizeScanReport(value: unknown): NormalizedReport {
  const format = detectReportFormat(value);
  if (format === 'trivy-legacy') {
    assertValid(checkTrivyLegacy, value, 'Trivy');
    return normalizeTrivyLegacyReport(value as TrivyResult[]);
  }
  if (format === 'trivy-v2') {
    const version = (value as { SchemaVersion?: unknown }).SchemaVersion;
    if (version !== 2) {
      throw new ReportError(
        `unsupported Trivy SchemaVersion ${JSON.stringify(version)}; InfraPrime reads SchemaVersion 2 and the legacy array`,
        '/SchemaVersion',
      );
    }
    assertValid(checkTrivy, value, 'Trivy');
    return normalizeTrivyReport(value as TrivyReport);
  }
  if (format === 'grype') {
    assertValid(checkGrype, value, 'Grype');
    return normalizeGrypeReport(value as GrypeReport);
  }
  throw new ReportError(
    'not a Trivy or Grype report: expected a Trivy JSON report (`trivy image --format json`) or a Grype JSON report (`grype -o json`)',
  );
}

/** Parses report text; JSON syntax errors become ReportError. */
export function parseScanReport(text: string): NormalizedReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ReportError(`invalid JSON: ${(error as Error).message}`);
  }
  return normalizeScanReport(value);
}
