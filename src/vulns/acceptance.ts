import { normalizeVulnId } from './aliases.js';

/** A person's decision that a vulnerability is an accepted risk or a false positive. */
export interface Acceptance {
  id: string;
  kind: 'risk-accepted' | 'false-positive';
  /** Any alias of the flaw; matches findings that list it. */
  vulnId: string;
  /** Limits the acceptance to one package; null covers every package. */
  packageName: string | null;
  /** Limits the acceptance to one image repository; null covers every image of the project. */
  imageRepository: string | null;
  reason: string;
  author: string;
  expiresAt: Date;
  revokedAt: Date | null;
}

export interface AcceptanceTarget {
  aliases: readonly string[];
  packageName: string;
  imageRepository: string;
}

/**
 * Whether an acceptance covers a finding. It matches on aliases, package name and image
 * repository, never on versions, so it survives rebuilds and new image tags.
 */
export function acceptanceMatches(acceptance: Acceptance, target: AcceptanceTarget): boolean {
  if (!target.aliases.includes(normalizeVulnId(acceptance.vulnId))) return false;
  if (acceptance.packageName !== null && acceptance.packageName !== target.packageName)
    return false;
  return (
    acceptance.imageRepository === null || acceptance.imageRepository === target.imageRepository
  );
}

/** Returns when the latest active matching acceptance ends, or null when none is active. */
export function acceptedUntil(
  acceptances: readonly Acceptance[],
  target: AcceptanceTarget,
  now: Date,
): Date | null {
  let until: Date | null = null;
  for (const acceptance of acceptances) {
    if (acceptance.revokedAt || acceptance.expiresAt.getTime() <= now.getTime()) continue;
    if (!acceptanceMatches(acceptance, target)) continue;
    if (!until || acceptance.expiresAt > until) until = acceptance.expiresAt;
  }
  return until;
}
