import { severityRank } from '../finding/finding.js';
import { aliasSet, canonicalVulnId, mergeIds, sharesMergeId } from './aliases.js';
import type { ObservedVulnerability, Scanner, TrackedFinding } from './types.js';

function packageKey(finding: { packageName: string; packageLocation: string }): string {
  return `${finding.packageName}\u0000${finding.packageLocation}`;
}

function combine(a: ObservedVulnerability, b: ObservedVulnerability): ObservedVulnerability {
  const aliases = aliasSet([...a.aliases, ...b.aliases]);
  const worse = severityRank(b.severity) > severityRank(a.severity) ? b : a;
  return {
    ...a,
    vulnId: canonicalVulnId(aliases),
    aliases,
    severity: worse.severity,
    scannerSeverity: worse.scannerSeverity,
    fixedVersion: a.fixedVersion ?? b.fixedVersion,
    hasFix: a.hasFix || b.hasFix,
    title: a.title || b.title,
  };
}

/**
 * Merges the entries of one report that name the same flaw in the same package: the same id
 * listed twice, or a CVE and a GHSA that the scanner links. The worst severity wins.
 */
export function mergeObserved(vulns: readonly ObservedVulnerability[]): ObservedVulnerability[] {
  const byPackage = new Map<string, ObservedVulnerability[]>();
  for (const vuln of vulns) {
    const key = packageKey(vuln);
    const group = byPackage.get(key) ?? [];
    const overlapping = group.filter((other) => sharesMergeId(other.aliases, vuln.aliases));
    let merged = vuln;
    for (const other of overlapping) merged = combine(other, merged);
    byPackage.set(key, [...group.filter((other) => !overlapping.includes(other)), merged]);
  }
  return [...byPackage.values()].flat();
}

export interface ReconcileOptions {
  scanner: Scanner;
  /** InfraPrime's clock at ingestion; first-seen, fixed and reopened times come from it. */
  at: Date;
  newId: () => string;
}

export interface ReconcileResult {
  created: TrackedFinding[];
  /** Existing findings that changed: seen again, reopened, or fixed. */
  updated: TrackedFinding[];
  /** Ids of every finding the report contains, created or existing. */
  seenIds: string[];
  reopened: number;
  fixed: number;
}

function applyObservation(
  finding: TrackedFinding,
  vuln: ObservedVulnerability,
  { scanner, at }: ReconcileOptions,
): TrackedFinding {
  const aliases = aliasSet([...finding.aliases, ...vuln.aliases]);
  const reopening = finding.status === 'fixed';
  return {
    ...finding,
    vulnId: canonicalVulnId(aliases),
    aliases,
    packageType: vuln.packageType,
    installedVersion: vuln.installedVersion,
    fixedVersion: vuln.fixedVersion,
    hasFix: vuln.hasFix,
    severity: vuln.severity,
    scannerSeverity: vuln.scannerSeverity,
    title: vuln.title || finding.title,
    status: 'open',
    openIn: finding.openIn.includes(scanner) ? finding.openIn : [...finding.openIn, scanner].sort(),
    lastSeenAt: at,
    fixedAt: reopening ? null : finding.fixedAt,
    reopenedAt: reopening ? at : finding.reopenedAt,
    reopenCount: reopening ? finding.reopenCount + 1 : finding.reopenCount,
  };
}

function createFinding(vuln: ObservedVulnerability, options: ReconcileOptions): TrackedFinding {
  return {
    id: options.newId(),
    ...vuln,
    status: 'open',
    openIn: [options.scanner],
    firstSeenAt: options.at,
    lastSeenAt: options.at,
    fixedAt: null,
    reopenedAt: null,
    reopenCount: 0,
  };
}

/** Marks an open finding that this scanner no longer reports; fixed once no scanner reports it. */
function applyAbsence(finding: TrackedFinding, { scanner, at }: ReconcileOptions): TrackedFinding {
  const openIn = finding.openIn.filter((name) => name !== scanner);
  if (openIn.length > 0) return { ...finding, openIn };
  return { ...finding, openIn, status: 'fixed', fixedAt: at };
}

function findMatch(
  candidates: readonly TrackedFinding[] | undefined,
  vuln: ObservedVulnerability,
): TrackedFinding | undefined {
  if (!candidates) return undefined;
  const ids = new Set(mergeIds(vuln.aliases));
  return candidates.find((finding) => mergeIds(finding.aliases).some((id) => ids.has(id)));
}

/**
 * Applies one scan of one image to the findings already tracked for that image. A finding the
 * scan reports is seen again (and reopened if it was fixed); an open finding it no longer
 * reports is fixed once no other scanner's latest scan reports it; the rest is created.
 */
export function reconcileScan(
  existing: readonly TrackedFinding[],
  observed: readonly ObservedVulnerability[],
  options: ReconcileOptions,
): ReconcileResult {
  const current = new Map(existing.map((finding) => [finding.id, finding]));
  const byPackage = new Map<string, TrackedFinding[]>();
  for (const finding of existing) {
    const list = byPackage.get(packageKey(finding)) ?? [];
    list.push(finding);
    byPackage.set(packageKey(finding), list);
  }

  const created: TrackedFinding[] = [];
  const seen = new Set<string>();
  let reopened = 0;
  for (const vuln of mergeObserved(observed)) {
    const match = findMatch(byPackage.get(packageKey(vuln)), vuln);
    if (!match) {
      const finding = createFinding(vuln, options);
      created.push(finding);
      seen.add(finding.id);
      continue;
    }
    const before = current.get(match.id) ?? match;
    if (before.status === 'fixed') reopened += 1;
    current.set(match.id, applyObservation(before, vuln, options));
    seen.add(match.id);
  }

  let fixed = 0;
  for (const finding of existing) {
    if (seen.has(finding.id) || finding.status !== 'open') continue;
    if (!finding.openIn.includes(options.scanner)) continue;
    const next = applyAbsence(finding, options);
    if (next.status === 'fixed') fixed += 1;
    current.set(finding.id, next);
  }

  const updated = existing
    .map((finding) => current.get(finding.id) as TrackedFinding)
    .filter((finding, index) => finding !== existing[index]);
  return { created, updated, seenIds: [...seen], reopened, fixed };
}
