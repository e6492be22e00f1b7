import type { Severity } from '../finding/finding.js';

export type Scanner = 'trivy' | 'grype';

/** One vulnerability in one package as a scanner reported it, after normalisation. */
export interface ObservedVulnerability {
  /** Canonical id after alias merging: a CVE when one is known, else a GHSA, else the scanner's id. */
  vulnId: string;
  /** Every id the scanner gave for this flaw, canonical id included, sorted. */
  aliases: string[];
  packageName: string;
  /** Where the package lives: an ecosystem for OS packages, else its path or versionless PURL. */
  packageLocation: string;
  packageType: string;
  installedVersion: string;
  fixedVersion: string | null;
  hasFix: boolean;
  severity: Severity;
  /** The severity word exactly as the scanner wrote it, such as `HIGH` or `Negligible`. */
  scannerSeverity: string;
  title: string;
}

/** A scan report reduced to what InfraPrime stores. */
export interface NormalizedReport {
  scanner: Scanner;
  format: 'trivy-v2' | 'trivy-legacy' | 'grype';
  scannerVersion: string | null;
  /** Image reference as scanned, such as `nginx:1.27`; null when the report does not name it. */
  artifactName: string | null;
  /** Image repository without tag or digest, the part of a finding's identity. */
  imageRepository: string | null;
  imageDigest: string | null;
  /** When the scanner wrote the report, if it says. */
  createdAt: Date | null;
  /** Vulnerabilities as listed, before duplicates within the report are merged. */
  vulnerabilities: ObservedVulnerability[];
}

/** A vulnerability finding as tracked over time, in the database or in a local state file. */
export interface TrackedFinding {
  id: string;
  vulnId: string;
  aliases: string[];
  packageName: string;
  packageLocation: string;
  packageType: string;
  installedVersion: string;
  fixedVersion: string | null;
  hasFix: boolean;
  severity: Severity;
  scannerSeverity: string;
  title: string;
  status: 'open' | 'fixed';
  /** Scanners whose latest scan of the image reports this finding. */
  openIn: Scanner[];
  firstSeenAt: Date;
  lastSeenAt: Date;
  fixedAt: Date | null;
  reopenedAt: Date | null;
  reopenCount: number;
}

export type FindingState = 'within_sla' | 'due_soon' | 'overdue' | 'accepted' | 'fixed';

export const FINDING_STATES: readonly FindingState[] = [
  'within_sla',
  'due_soon',
  'overdue',
  'accepted',
  'fixed',
];
