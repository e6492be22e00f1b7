import type { Severity } from '../finding/finding.js';

const WORDS: Record<string, Severity> = {
  critical: 'critical',
  high: 'high',
  medium: 'medium',
  moderate: 'medium',
  low: 'low',
  negligible: 'info',
  unknown: 'info',
  none: 'info',
  info: 'info',
};

/** Trivy's `VendorSeverity` numbers: 0 unknown, 1 low, 2 medium, 3 high, 4 critical. */
const VENDOR_NUMBERS: Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

/**
 * Maps a scanner's severity word to InfraPrime's scale. Unknown, negligible and missing
 * severities become `info`, which the default patch SLA gives no deadline.
 */
export function severityFromWord(word: unknown): Severity {
  if (typeof word !== 'string') return 'info';
  return WORDS[word.trim().toLowerCase()] ?? 'info';
}

export function severityFromVendorNumber(value: unknown): Severity | null {
  if (typeof value !== 'number' || !Number.isInteger(value)) return null;
  return VENDOR_NUMBERS[value] ?? null;
}
