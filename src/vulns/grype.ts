import { aliasSet, canonicalVulnId } from './aliases.js';
import { packageLocation, parseImageReference } from './identity.js';
import type { GrypeMatch, GrypeReport } from './schemas.js';
import { severityFromWord } from './severity.js';
import type { NormalizedReport, ObservedVulnerability } from './types.js';

function fixOf(match: GrypeMatch): { fixedVersion: string | null; hasFix: boolean } {
  const fix = match.vulnerability.fix;
  const versions = (fix?.versions ?? []).filter((version) => version.trim() !== '');
  const legacy = match.vulnerability.fixedInVersion?.trim() || null;
  const fixedVersion = versions.length > 0 ? versions.join(', ') : legacy;
  return { fixedVersion, hasFix: fixedVersion !== null || fix?.state === 'fixed' };
}

function titleOf(match: GrypeMatch): string {
  const text = match.vulnerability.description ?? '';
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

function observe(match: GrypeMatch): ObservedVulnerability {
  const { vulnerability, artifact } = match;
  const aliases = aliasSet([
    vulnerability.id,
    ...(match.relatedVulnerabilities ?? []).map((related) => related.id),
    ...(vulnerability.advisories ?? []).map((advisory) => advisory.id),
  ]);
  const packageType = artifact.type || 'unknown';
  return {
    vulnId: canonicalVulnId(aliases),
    aliases,
    packageName: artifact.name,
    packageLocation: packageLocation({
      packageType,
      installedVersion: artifact.version,
      path: artifact.locations?.[0]?.path,
      purl: artifact.purl,
    }),
    packageType,
    installedVersion: artifact.version ?? '',
    ...fixOf(match),
    severity: severityFromWord(vulnerability.severity),
    scannerSeverity: vulnerability.severity ?? '',
    title: titleOf(match),
  };
}

function targetOf(report: GrypeReport): { name: string | null; digest: string | null } {
  const target = report.source?.target;
  if (typeof target === 'string') return { name: target.trim() || null, digest: null };
  if (!target) return { name: null, digest: null };
  const name = target.userInput?.trim() || target.tags?.[0] || null;
  const digest = target.repoDigests?.[0]?.split('@')[1] ?? target.manifestDigest ?? null;
  return { name, digest };
}

export function normalizeGrypeReport(report: GrypeReport): NormalizedReport {
  const { name, digest } = targetOf(report);
  const timestamp = report.descriptor?.timestamp ? new Date(report.descriptor.timestamp) : null;
  return {
    scanner: 'grype',
    format: 'grype',
    scannerVersion: report.descriptor?.version ?? null,
    artifactName: name,
    imageRepository: name ? parseImageReference(name).repository : null,
    imageDigest: digest,
    createdAt: timestamp && !Number.isNaN(timestamp.getTime()) ? timestamp : null,
    vulnerabilities: report.matches.map(observe),
  };
}
