import { describe, expect, test } from 'vitest';
import { type Acceptance, acceptedUntil } from '../../src/vulns/acceptance.js';
import { evaluateGate, type GateInput } from '../../src/vulns/gate.js';
import {
  completePolicy,
  computeDueAt,
  DEFAULT_SLA_POLICY,
  findingState,
} from '../../src/vulns/sla.js';

const firstSeenAt = new Date('2026-03-01T00:00:00Z');
const hours = (n: number) => new Date(firstSeenAt.getTime() + n * 3_600_000);

function input(overrides: Partial<GateInput> = {}): GateInput {
  return {
    vulnId: 'CVE-2026-1',
    packageName: 'openssl',
    installedVersion: '1',
    fixedVersion: '2',
    imageRepository: 'team/api',
    severity: 'high',
    hasFix: true,
    status: 'open',
    firstSeenAt,
    reopenedAt: null,
    acceptedUntil: null,
    ...overrides,
  };
}

describe('patch SLA', () => {
  test('default deadlines are 0 h, 24 h, 7 d and 30 d', () => {
    const due = (severity: GateInput['severity']) =>
      computeDueAt(input({ severity }), DEFAULT_SLA_POLICY)?.toISOString();
    expect(due('critical')).toBe(firstSeenAt.toISOString());
    expect(due('high')).toBe(hours(24).toISOString());
    expect(due('medium')).toBe(hours(168).toISOString());
    expect(due('low')).toBe(hours(720).toISOString());
    expect(due('info')).toBeUndefined();
  });

  test('a 0-hour deadline is overdue at once', () => {
    expect(findingState(input({ severity: 'critical' }), DEFAULT_SLA_POLICY, firstSeenAt)).toBe(
      'overdue',
    );
  });

  test('states move from within SLA to due soon to overdue', () => {
    const finding = input({ severity: 'high' });
    expect(findingState(finding, DEFAULT_SLA_POLICY, hours(1))).toBe('within_sla');
    expect(findingState(finding, DEFAULT_SLA_POLICY, hours(19))).toBe('due_soon');
    expect(findingState(finding, DEFAULT_SLA_POLICY, hours(24))).toBe('overdue');
    expect(findingState({ ...finding, status: 'fixed' }, DEFAULT_SLA_POLICY, hours(30))).toBe(
      'fixed',
    );
    expect(
      findingState({ ...finding, acceptedUntil: hours(48) }, DEFAULT_SLA_POLICY, hours(30)),
    ).toBe('accepted');
    expect(
      findingState({ ...finding, acceptedUntil: hours(29) }, DEFAULT_SLA_POLICY, hours(30)),
    ).toBe('overdue');
  });

  test('reopening restarts the clock only when the policy says so', () => {
    const finding = input({ severity: 'high', reopenedAt: hours(100) });
    expect(computeDueAt(finding, DEFAULT_SLA_POLICY)).toEqual(hours(124));
    const policy = completePolicy({ reopenRestartsClock: false });
    expect(computeDueAt(finding, policy)).toEqual(hours(24));
  });

  test('findings without a fix can be left out', () => {
    const policy = completePolicy({ countWithoutFix: false });
    const finding = input({ severity: 'critical', hasFix: false, fixedVersion: null });
    expect(computeDueAt(finding, policy)).toBeNull();
    expect(evaluateGate([finding], policy, hours(1))).toMatchObject({ passed: true, uncounted: 1 });
  });
});

describe('gate', () => {
  test('fails on overdue and on critical findings', () => {
    const result = evaluateGate(
      [
        input({ vulnId: 'CVE-1', severity: 'high' }),
        input({ vulnId: 'CVE-2', severity: 'critical' }),
        input({ vulnId: 'CVE-3', severity: 'medium' }),
      ],
      DEFAULT_SLA_POLICY,
      hours(25),
    );
    expect(result.passed).toBe(false);
    expect(result.blocking.map((entry) => [entry.finding.vulnId, entry.reasons])).toEqual([
      ['CVE-1', ['overdue']],
      ['CVE-2', ['overdue', 'critical']],
    ]);
  });

  test('passes when critical findings are accepted', () => {
    const result = evaluateGate(
      [input({ severity: 'critical', acceptedUntil: hours(100) })],
      DEFAULT_SLA_POLICY,
      hours(1),
    );
    expect(result.passed).toBe(true);
    expect(result.counts.accepted).toBe(1);
  });

  test('critical stays blocking under a lenient policy', () => {
    const policy = completePolicy({ deadlines: { ...DEFAULT_SLA_POLICY.deadlines, critical: 48 } });
    const result = evaluateGate([input({ severity: 'critical' })], policy, hours(1));
    expect(result.blocking[0]?.reasons).toEqual(['critical']);
  });
});

describe('acceptances', () => {
  const acceptance: Acceptance = {
    id: 'a1',
    kind: 'risk-accepted',
    vulnId: 'GHSA-aaaa',
    packageName: null,
    imageRepository: 'team/api',
    reason: 'not reachable',
    author: 'ana',
    expiresAt: hours(48),
    revokedAt: null,
  };
  const target = { aliases: ['CVE-1', 'GHSA-aaaa'], packageName: 'x', imageRepository: 'team/api' };

  test('match any alias and end by themselves', () => {
    expect(acceptedUntil([acceptance], target, hours(1))).toEqual(hours(48));
    expect(acceptedUntil([acceptance], target, hours(48))).toBeNull();
  });

  test('respect scope and revocation', () => {
    expect(
      acceptedUntil([acceptance], { ...target, imageRepository: 'team/web' }, hours(1)),
    ).toBeNull();
    expect(acceptedUntil([{ ...acceptance, revokedAt: hours(2) }], target, hours(3))).toBeNull();
  });
});
