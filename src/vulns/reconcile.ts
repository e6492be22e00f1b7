import { severityRank } from '../finding/finding.js';
import { aliasSet, canonicalVulnId, mergeIds } from './aliases.js';
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
 * listed twice, or a CVE and a GHSA that the scanner links. The worst severity wins. Runs in
 * time linear in the number of entries and their ids, so a report with tens of thousands of
 * CVEs in one package stays fast.
 */
export function mergeObserved(vulns: readonly ObservedVulnerability[]): ObservedVulnerability[] {
  // Each package's merged entries, keyed by a sequence number that grows as entries are
  // added. A Map iterates in insertion order, so an entry that absorbs others moves last.
  const byPackage = new Map<string, Map<number, ObservedVulnerability>>();
  // Package key and merge id to the sequence number of the entry that contains that id.
  const byMergeId = new Map<string, number>();
  let sequence = 0;
  for (const vuln of vulns) {
    const key = packageKey(vuln);
    const group = byPackage.get(key) ?? new Map<number, ObservedVulnerability>();
    byPackage.set(key, group);

    const overlapping = new Set<number>();
    for (const id of mergeIds(vuln.aliases)) {
      const found = byMergeId.get(`${key}\u0000${id}`);
      if (found !== undefined && group.has(found)) overlapping.add(found);
    }
    let merged = vuln;
    for (const found of [...overlapping].sort((a, b) => a - b)) {
      merged = combine(group.get(found) as ObservedVulnerability, merged);
      group.delete(found);
    }

    sequence += 1;
    group.set(sequence, merged);
    for (const id of mergeIds(merged.aliases)) byMergeId.set(`${key}\u0000${id}`, sequence);
  }
  return [...byPackage.values()].flatMap((group) => [...group.values()]);
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

/** Maps package key and merge id to the position of the first existing finding with that id. */
function indexByMergeId(existing: readonly TrackedFinding[]): Map<string, number> {
  const index = new Map<string, number>();
  existing.forEach((finding, position) => {
    for (const id of mergeIds(finding.aliases)) {
      const key = `${packageKey(finding)}\u0000${id}`;
      if (!index.has(key)) index.set(key, position);
    }
  });
  return index;
}

/** Finds the earliest existing finding in the same package that shares a merge id. */
function findMatch(
  existing: readonly TrackedFinding[],
  index: Map<string, number>,
  vuln: ObservedVulnerability,
): TrackedFinding | undefined {
  let first: number | undefined;
  for (const id of mergeIds(vuln.aliases)) {
    const position = index.get(`${packageKey(vuln)}\u0000${id}`);
    if (position !== undefined && (first === undefined || position < first)) first = position;
  }
  return first === undefined ? undefined : existing[first];
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
  const index = indexByMergeId(existing);

  const created: TrackedFinding[] = [];
  const seen = new Set<string>();
  let reopened = 0;
  for (const vuln of mergeObserved(observed)) {
    const match = findMatch(existing, index, vuln);
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
