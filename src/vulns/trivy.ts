import type { Severity } from '../finding/finding.js';
import { aliasSet, canonicalVulnId } from './aliases.js';
import { packageLocation, parseImageReference } from './identity.js';
import type { TrivyReport, TrivyResult, TrivyVulnerability } from './schemas.js';
import { severityFromVendorNumber, severityFromWord } from './severity.js';
import type { NormalizedReport, ObservedVulnerability } from './types.js';

/** Statuses for which Trivy lists a package that is not vulnerable. */
const NOT_AFFECTED = new Set(['not_affected']);

/**
 * Picks the severity: the vendor rating Trivy itself chose (`SeveritySource`) from
 * `VendorSeverity`, then the `Severity` word, then the OS family's rating, then NVD's.
 */
export function trivySeverity(vuln: TrivyVulnerability, osFamily: string | null): Severity {
  const vendors = vuln.VendorSeverity ?? {};
  const chosen = vuln.SeveritySource
    ? severityFromVendorNumber(vendors[vuln.SeveritySource])
    : null;
  if (chosen) return chosen;
  if (vuln.Severity && vuln.Severity.toUpperCase() !== 'UNKNOWN')
    return severityFromWord(vuln.Severity);
  for (const vendor of [osFamily, 'nvd']) {
    const rating = vendor ? severityFromVendorNumber(vendors[vendor]) : null;
    if (rating) return rating;
  }
  return severityFromWord(vuln.Severity);
}

function titleOf(vuln: TrivyVulnerability): string {
  const text = vuln.Title || vuln.Description || '';
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

interface ScanContext {
  osFamily: string | null;
  /** Repository and filesystem scans name each lockfile in `Target`; image scans do not. */
  targetIsFile: boolean;
}

function observe(
  vuln: TrivyVulnerability,
  result: TrivyResult,
  { osFamily, targetIsFile }: ScanContext,
): ObservedVulnerability {
  const aliases = aliasSet([vuln.VulnerabilityID, ...(vuln.VendorIDs ?? [])]);
  const packageType = result.Type || result.Class || 'unknown';
  const fixedVersion = vuln.FixedVersion?.trim() || null;
  return {
    vulnId: canonicalVulnId(aliases),
    aliases,
    packageName: vuln.PkgName,
    packageLocation: packageLocation({
      packageType: result.Class === 'os-pkgs' ? (osFamily ?? packageType) : packageType,
      installedVersion: vuln.InstalledVersion,
      path: vuln.PkgPath ?? (targetIsFile ? result.Target : null),
      purl: vuln.PkgIdentifier?.PURL,
      target: result.Target,
    }),
    packageType,
    installedVersion: vuln.InstalledVersion ?? '',
    fixedVersion,
    hasFix: fixedVersion !== null || vuln.Status === 'fixed',
    severity: trivySeverity(vuln, osFamily),
    scannerSeverity: vuln.Severity ?? '',
    title: titleOf(vuln),
  };
}

function observeResults(
  results: readonly TrivyResult[],
  context: ScanContext,
): ObservedVulnerability[] {
  const observed: ObservedVulnerability[] = [];
  for (const result of results) {
    for (const vuln of result.Vulnerabilities ?? []) {
      if (vuln.Status && NOT_AFFECTED.has(vuln.Status)) continue;
      observed.push(observe(vuln, result, context));
    }
  }
  return observed;
}

export function normalizeTrivyReport(report: TrivyReport): NormalizedReport {
  const osFamily = report.Metadata?.OS?.Family?.toLowerCase() ?? null;
  const artifactName = report.ArtifactName?.trim() || null;
  const digest = report.Metadata?.RepoDigests?.[0]?.split('@')[1] ?? null;
  const createdAt = report.CreatedAt ? new Date(report.CreatedAt) : null;
  return {
    scanner: 'trivy',
    format: 'trivy-v2',
    scannerVersion: report.Trivy?.Version ?? null,
    artifactName,
    imageRepository: artifactName ? parseImageReference(artifactName).repository : null,
    imageDigest: digest,
    createdAt: createdAt && !Number.isNaN(createdAt.getTime()) ? createdAt : null,
    vulnerabilities: observeResults(report.Results ?? [], {
      osFamily,
      targetIsFile: report.ArtifactType === 'repository' || report.ArtifactType === 'filesystem',
    }),
  };
}

/** The legacy array names the OS only inside each target: `debian (debian 10.8)`. */
function legacyOsFamily(results: readonly TrivyResult[]): string | null {
  for (const result of results) {
    const match = /\(([a-z.-]+) [^)]*\)$/i.exec(result.Target);
    if (match?.[1]) return match[1].toLowerCase();
  }
  return null;
}

export function normalizeTrivyLegacyReport(results: readonly TrivyResult[]): NormalizedReport {
  const osFamily = legacyOsFamily(results);
  const osResults = results.map((result) =>
    result.Class || !osFamily || !result.Target.endsWith(')')
      ? result
      : { ...result, Class: 'os-pkgs' },
  );
  return {
    scanner: 'trivy',
    format: 'trivy-legacy',
    scannerVersion: null,
    artifactName: null,
    imageRepository: null,
    imageDigest: null,
    createdAt: null,
    vulnerabilities: observeResults(osResults, { osFamily, targetIsFile: false }),
  };
}
