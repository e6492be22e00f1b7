import { type Static, Type } from 'typebox';
import type { Severity } from '../finding/finding.js';
import type { FindingState, TrackedFinding } from './types.js';

const Hours = Type.Union([Type.Number({ minimum: 0, maximum: 87_600 }), Type.Null()]);

/** Patch deadlines in hours from first sight; null means no deadline for that severity. */
export const SlaPolicySchema = Type.Object(
  {
    deadlines: Type.Object(
      { critical: Hours, high: Hours, medium: Hours, low: Hours, info: Hours },
      { additionalProperties: false },
    ),
    /** A finding is due soon in the last part of its window, as a fraction (0.25 = last quarter). */
    dueSoonRatio: Type.Number({ minimum: 0, maximum: 1 }),
    /** Whether a reopened finding's deadline counts from its reopening instead of first sight. */
    reopenRestartsClock: Type.Boolean(),
    /** Whether findings with no fixed version yet get a deadline and can fail the gate. */
    countWithoutFix: Type.Boolean(),
  },
  { additionalProperties: false },
);

export type SlaPolicy = Static<typeof SlaPolicySchema>;

const HOUR_MS = 3_600_000;

/** Critical immediately, high in 24 hours, medium in 7 days, low in 30 days. */
export const DEFAULT_SLA_POLICY: SlaPolicy = {
  deadlines: { critical: 0, high: 24, medium: 7 * 24, low: 30 * 24, info: null },
  dueSoonRatio: 0.25,
  reopenRestartsClock: true,
  countWithoutFix: true,
};

type ClockFields = Pick<TrackedFinding, 'firstSeenAt' | 'reopenedAt' | 'hasFix' | 'severity'>;

export function windowHours(severity: Severity, policy: SlaPolicy): number | null {
  return policy.deadlines[severity];
}

/** Whether the policy gives this finding a deadline at all. */
export function isCounted(finding: Pick<ClockFields, 'hasFix'>, policy: SlaPolicy): boolean {
  return finding.hasFix || policy.countWithoutFix;
}

export function clockStart(finding: ClockFields, policy: SlaPolicy): Date {
  return policy.reopenRestartsClock && finding.reopenedAt
    ? finding.reopenedAt
    : finding.firstSeenAt;
}

/** Computes the patch deadline, or null when the severity has none or the finding is not counted. */
export function computeDueAt(finding: ClockFields, policy: SlaPolicy): Date | null {
  const hours = windowHours(finding.severity, policy);
  if (hours === null || !isCounted(finding, policy)) return null;
  return new Date(clockStart(finding, policy).getTime() + hours * HOUR_MS);
}

export interface StateInput extends ClockFields {
  status: TrackedFinding['status'];
  /** End of the latest active acceptance, if any. */
  acceptedUntil: Date | null;
}

/** Classifies a finding at `now`: fixed, accepted, overdue, due soon or within the SLA. */
export function findingState(finding: StateInput, policy: SlaPolicy, now: Date): FindingState {
  if (finding.status === 'fixed') return 'fixed';
  if (finding.acceptedUntil && finding.acceptedUntil.getTime() > now.getTime()) return 'accepted';
  const dueAt = computeDueAt(finding, policy);
  if (!dueAt) return 'within_sla';
  const remaining = dueAt.getTime() - now.getTime();
  if (remaining <= 0) return 'overdue';
  const windowMs = dueAt.getTime() - clockStart(finding, policy).getTime();
  return remaining <= windowMs * policy.dueSoonRatio ? 'due_soon' : 'within_sla';
}

/** Returns the policy with every missing field taken from the default. */
export function completePolicy(partial: Partial<SlaPolicy> | null | undefined): SlaPolicy {
  return {
    ...DEFAULT_SLA_POLICY,
    ...partial,
    deadlines: { ...DEFAULT_SLA_POLICY.deadlines, ...partial?.deadlines },
  };
}
