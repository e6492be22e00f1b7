/**
 * Alias handling. CVE, GHSA and the ids of single-flaw databases (OSV ecosystems, Debian TEMP
 * ids, the Node security WG) name one flaw each, so two reports that share one of them describe
 * the same vulnerability. Distribution advisories (RHSA, DSA, DLA, USN, ALAS, ...) bundle many
 * CVEs into one update, so they are kept as aliases for display and acceptance matching but never
 * used to merge two findings.
 */

const ADVISORY_PREFIXES = [
  'RHSA-',
  'RHBA-',
  'RHEA-',
  'DSA-',
  'DLA-',
  'USN-',
  'ALAS',
  'ALSA-',
  'ELSA-',
  'RLSA-',
  'SUSE-SU-',
  'OPENSUSE-SU-',
  'MGASA-',
  'PHSA-',
];

export function normalizeVulnId(id: string): string {
  const trimmed = id.trim();
  const upper = trimmed.toUpperCase();
  if (upper.startsWith('CVE-')) return upper;
  if (upper.startsWith('GHSA-')) return `GHSA-${trimmed.slice(5).toLowerCase()}`;
  return trimmed;
}

export function isAdvisoryId(id: string): boolean {
  const upper = id.toUpperCase();
  return ADVISORY_PREFIXES.some((prefix) => upper.startsWith(prefix));
}

/** Ids that identify exactly one flaw and may merge findings. */
export function mergeIds(aliases: readonly string[]): string[] {
  return aliases.filter((id) => !isAdvisoryId(id));
}

function rank(id: string): number {
  if (id.startsWith('CVE-')) return 0;
  if (id.startsWith('GHSA-')) return 1;
  return isAdvisoryId(id) ? 3 : 2;
}

/** Picks the id a finding is shown under: the first CVE, else GHSA, else another flaw id. */
export function canonicalVulnId(aliases: readonly string[]): string {
  const sorted = [...aliases].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const first = sorted[0];
  if (first === undefined) throw new Error('canonicalVulnId needs at least one id; this is a bug');
  return first;
}

/** Normalises, deduplicates and sorts a list of ids; empty strings are dropped. */
export function aliasSet(ids: Iterable<string | null | undefined>): string[] {
  const set = new Set<string>();
  for (const id of ids) {
    if (typeof id === 'string' && id.trim() !== '') set.add(normalizeVulnId(id));
  }
  return [...set].sort();
}

export function sharesMergeId(a: readonly string[], b: readonly string[]): boolean {
  const ids = new Set(mergeIds(a));
  return mergeIds(b).some((id) => ids.has(id));
}
