import type { Severity } from '../finding/finding.js';
import { computeDueAt, findingState, isCounted, type SlaPolicy, type StateInput } from './sla.js';
import type { FindingState } from './types.js';

export interface GateInput extends StateInput {
  vulnId: string;
  packageName: string;
  installedVersion: string;
  fixedVersion: string | null;
  imageRepository: string;
}

export type GateReason = 'overdue' | 'critical';

export interface GateEntry {
  finding: GateInput;
  state: FindingState;
  dueAt: Date | null;
  reasons: GateReason[];
}

export interface GateResult {
  passed: boolean;
  blocking: GateEntry[];
  /** Open findings that the policy does not count because no fix exists yet. */
  uncounted: number;
  counts: Record<FindingState, number>;
}

/** Returns a zero count for every finding state. */
export function emptyStateCounts(): Record<FindingState, number> {
  return { within_sla: 0, due_soon: 0, overdue: 0, accepted: 0, fixed: 0 };
}

function reasonsFor(severity: Severity, state: FindingState): GateReason[] {
  const reasons: GateReason[] = [];
  if (state === 'overdue') reasons.push('overdue');
  if (severity === 'critical' && state !== 'accepted' && state !== 'fixed')
    reasons.push('critical');
  return reasons;
}

/**
 * Decides whether a deploy may go ahead: it is blocked by every open finding that is overdue,
 * or critical and not accepted. Findings the policy does not count (no fix yet, with
 * `countWithoutFix` off) never block.
 */
export function evaluateGate(
  findings: readonly GateInput[],
  policy: SlaPolicy,
  now: Date,
): GateResult {
  const counts = emptyStateCounts();
  const blocking: GateEntry[] = [];
  let uncounted = 0;
  for (const finding of findings) {
    const state = findingState(finding, policy, now);
    counts[state] += 1;
    if (finding.status === 'open' && !isCounted(finding, policy)) {
      uncounted += 1;
      continue;
    }
    const reasons = reasonsFor(finding.severity, state);
    if (reasons.length > 0) {
      blocking.push({ finding, state, dueAt: computeDueAt(finding, policy), reasons });
    }
  }
  return { passed: blocking.length === 0, blocking, uncounted, counts };
}
