import type { ObservedVulnerability, TrackedFinding } from '../../src/vulns/types.js';

export function observed(overrides: Partial<ObservedVulnerability> = {}): ObservedVulnerability {
  const aliases = overrides.aliases ?? [overrides.vulnId ?? 'CVE-2024-0001'];
  return {
    vulnId: aliases[0] as string,
    aliases,
    packageName: 'openssl',
    packageLocation: 'os:deb',
    packageType: 'debian',
    installedVersion: '3.0.11-1',
    fixedVersion: '3.0.13-1',
    hasFix: true,
    severity: 'high',
    scannerSeverity: 'HIGH',
    title: 'a flaw',
    ...overrides,
  };
}

export function tracked(overrides: Partial<TrackedFinding> = {}): TrackedFinding {
  const at = new Date('2026-01-01T00:00:00Z');
  return {
    id: 'f1',
    ...observed(),
    status: 'open',
    openIn: ['trivy'],
    firstSeenAt: at,
    lastSeenAt: at,
    fixedAt: null,
    reopenedAt: null,
    reopenCount: 0,
    ...overrides,
  };
}

export function sequentialIds(prefix = 'new'): () => string {
  let next = 0;
  return () => `${prefix}-${++next}`;
}
