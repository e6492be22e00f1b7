import { randomUUID } from 'node:crypto';
import { normalizeScanReport } from '../../vulns/parse.js';
import { reconcileScan } from '../../vulns/reconcile.js';
import { ReportError } from '../../vulns/report-error.js';
import type { NormalizedReport, TrackedFinding } from '../../vulns/types.js';
import type { Queryable } from '../db/database.js';
import { ApiError } from '../errors.js';
import type { ServiceContext } from './context.js';
import { applyAcceptances, findingRecord, loadImageFindings } from './findings.js';
import { type Project, requireProject } from './projects.js';

export interface ScanSummary {
  id: string;
  imageRepository: string;
  scanner: string;
  format: string;
  scannerVersion: string | null;
  artifactName: string | null;
  imageDigest: string | null;
  reportCreatedAt: Date | null;
  receivedAt: Date;
  vulnerabilityCount: number;
  findingCount: number;
  newCount: number;
  reopenedCount: number;
  fixedCount: number;
  /** The report is older than one already stored for the image, so it changed no finding. */
  stale: boolean;
}

const SCAN_COLUMNS = `s.id, i.repository, s.scanner, s.format, s.scanner_version, s.artifact_name,
  s.image_digest, s.report_created_at, s.received_at, s.vulnerability_count, s.finding_count,
  s.new_count, s.reopened_count, s.fixed_count, s.stale`;

function toScan(row: Record<string, unknown>): ScanSummary {
  return {
    id: row.id as string,
    imageRepository: row.repository as string,
    scanner: row.scanner as string,
    format: row.format as string,
    scannerVersion: (row.scanner_version as string | null) ?? null,
    artifactName: (row.artifact_name as string | null) ?? null,
    imageDigest: (row.image_digest as string | null) ?? null,
    reportCreatedAt: (row.report_created_at as Date | null) ?? null,
    receivedAt: row.received_at as Date,
    vulnerabilityCount: row.vulnerability_count as number,
    findingCount: row.finding_count as number,
    newCount: row.new_count as number,
    reopenedCount: row.reopened_count as number,
    fixedCount: row.fixed_count as number,
    stale: row.stale as boolean,
  };
}

/** Rows per bulk statement; bounds the size of one JSON parameter. */
const CHUNK = 2000;

const RECORD_TYPES = `id uuid, vuln_id text, aliases text[], package_name text, package_location text,
  package_type text, installed_version text, fixed_version text, has_fix boolean, severity text,
  scanner_severity text, title text, status text, open_in text[], first_seen_at timestamptz,
  last_seen_at timestamptz, fixed_at timestamptz, reopened_at timestamptz, reopen_count integer,
  clock_started_at timestamptz, due_at timestamptz`;

async function insertFindings(
  tx: Queryable,
  project: Project,
  imageId: string,
  scanId: string,
  findings: TrackedFinding[],
) {
  for (let start = 0; start < findings.length; start += CHUNK) {
    const records = findings
      .slice(start, start + CHUNK)
      .map((f) => findingRecord(f, project.slaPolicy));
    await tx.query(
      `INSERT INTO vuln_findings (id, project_id, image_id, vuln_id, aliases, package_name,
          package_location, package_type, installed_version, fixed_version, has_fix, severity,
          scanner_severity, title, status, open_in, first_seen_at, last_seen_at, fixed_at,
          reopened_at, reopen_count, clock_started_at, due_at, first_scan_id, last_scan_id)
       SELECT r.id, $1, $2, r.vuln_id, r.aliases, r.package_name, r.package_location,
          r.package_type, r.installed_version, r.fixed_version, r.has_fix, r.severity,
          r.scanner_severity, r.title, r.status, r.open_in, r.first_seen_at, r.last_seen_at,
          r.fixed_at, r.reopened_at, r.reopen_count, r.clock_started_at, r.due_at, $3, $3
         FROM jsonb_to_recordset($4::jsonb) AS r(${RECORD_TYPES})`,
      [project.id, imageId, scanId, JSON.stringify(records)],
    );
  }
}

async function updateFindings(
  tx: Queryable,
  project: Project,
  scanId: string,
  findings: TrackedFinding[],
) {
  for (let start = 0; start < findings.length; start += CHUNK) {
    const records = findings
      .slice(start, start + CHUNK)
      .map((f) => findingRecord(f, project.slaPolicy));
    await tx.query(
      `UPDATE vuln_findings f SET vuln_id = r.vuln_id, aliases = r.aliases,
          package_type = r.package_type, installed_version = r.installed_version,
          fixed_version = r.fixed_version, has_fix = r.has_fix, severity = r.severity,
          scanner_severity = r.scanner_severity, title = r.title, status = r.status,
          open_in = r.open_in, last_seen_at = r.last_seen_at, fixed_at = r.fixed_at,
          reopened_at = r.reopened_at, reopen_count = r.reopen_count,
          clock_started_at = r.clock_started_at, due_at = r.due_at,
          last_scan_id = CASE WHEN r.last_seen_at = f.last_seen_at THEN f.last_scan_id ELSE $1 END
         FROM jsonb_to_recordset($2::jsonb) AS r(${RECORD_TYPES})
        WHERE f.id = r.id`,
      [scanId, JSON.stringify(records)],
    );
  }
}

export interface ScanUpload {
  projectId: string;
  body: unknown;
  sha256: string;
  /** Image reference from the query string; required when the report does not name one. */
  image?: string | undefined;
  userId: string;
  tokenId: string | null;
}

function normalize(context: ServiceContext, upload: ScanUpload): NormalizedReport {
  let report: NormalizedReport;
  try {
    report = normalizeScanReport(upload.body);
  } catch (error) {
    if (error instanceof ReportError) throw new ApiError('report-invalid', error.message);
    throw error;
  }
  const max = context.config.maxReportEntries;
  if (report.vulnerabilities.length > max) {
    throw new ApiError(
      'report-too-large',
      `The report lists ${report.vulnerabilities.length} vulnerabilities; the limit is ${max} (INFRAPRIME_MAX_REPORT_ENTRIES).`,
    );
  }
  return report;
}

/** Finds the scan of this report already stored for the same image of the project. */
async function findDuplicate(tx: Queryable, projectId: string, repository: string, sha256: string) {
  const { rows } = await tx.query(
    `SELECT ${SCAN_COLUMNS} FROM scans s JOIN images i ON i.id = s.image_id
      WHERE s.project_id = $1 AND i.repository = $2 AND s.report_sha256 = $3`,
    [projectId, repository, sha256],
  );
  return rows[0] ? toScan(rows[0]) : null;
}

async function upsertImage(tx: Queryable, projectId: string, repository: string) {
  const { rows } = await tx.query<{ id: string; last_report_at: Date | null }>(
    `INSERT INTO images (project_id, repository) VALUES ($1, $2)
     ON CONFLICT (project_id, repository) DO UPDATE SET repository = EXCLUDED.repository
     RETURNING id, last_report_at`,
    [projectId, repository],
  );
  return rows[0] as { id: string; last_report_at: Date | null };
}

/**
 * Stores one scan report in one transaction: the scan, new findings, findings seen again or
 * reopened, and findings fixed by their absence. The same report sent twice for the same
 * image (same SHA-256) returns the first result and changes nothing.
 */
export async function ingestScan(
  context: ServiceContext,
  upload: ScanUpload,
): Promise<{ scan: ScanSummary; duplicate: boolean; imageId: string }> {
  const report = normalize(context, upload);
  const repository = upload.image?.trim() || report.imageRepository;
  if (!repository) {
    throw new ApiError('image-required', 'Pass the image repository as ?image=team/api.');
  }
  const now = context.now();
  return context.db.transaction(async (tx) => {
    const project = await requireProject(tx, upload.projectId);
    await tx.query('SELECT id FROM projects WHERE id = $1 FOR UPDATE', [project.id]);
    const duplicate = await findDuplicate(tx, project.id, repository, upload.sha256);
    const image = await upsertImage(tx, project.id, repository);
    if (duplicate) return { scan: duplicate, duplicate: true, imageId: image.id };

    const stale = !!(
      report.createdAt &&
      image.last_report_at &&
      report.createdAt < image.last_report_at
    );
    const scanId = randomUUID();
    const result = stale
      ? { created: [], updated: [], seenIds: [], reopened: 0, fixed: 0 }
      : reconcileScan(await loadImageFindings(tx, image.id), report.vulnerabilities, {
          scanner: report.scanner,
          at: now,
          newId: randomUUID,
        });
    const { rows } = await tx.query(
      `INSERT INTO scans (id, project_id, image_id, scanner, format, scanner_version, artifact_name,
          image_digest, report_sha256, report_created_at, received_at, vulnerability_count,
          finding_count, new_count, reopened_count, fixed_count, stale, uploaded_by, token_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
       RETURNING id`,
      [
        scanId,
        project.id,
        image.id,
        report.scanner,
        report.format,
        report.scannerVersion,
        report.artifactName,
        report.imageDigest,
        upload.sha256,
        report.createdAt,
        now,
        report.vulnerabilities.length,
        result.seenIds.length,
        result.created.length,
        result.reopened,
        result.fixed,
        stale,
        upload.userId,
        upload.tokenId,
      ],
    );
    await insertFindings(tx, project, image.id, scanId, result.created);
    await updateFindings(tx, project, scanId, result.updated);
    await tx.query(
      `UPDATE images SET last_scan_at = $2,
          last_report_at = CASE WHEN $3::timestamptz IS NULL THEN last_report_at
                                ELSE greatest(last_report_at, $3::timestamptz) END
        WHERE id = $1`,
      [image.id, now, report.createdAt],
    );
    await applyAcceptances(tx, project.id, image.id);
    const scan = (await findDuplicate(tx, project.id, repository, upload.sha256)) as ScanSummary;
    return { scan: { ...scan, id: rows[0]?.id as string }, duplicate: false, imageId: image.id };
  });
}

export async function listScans(
  db: Queryable,
  filter: {
    projectId: string;
    imageRepository?: string | undefined;
    before?: { receivedAt: Date; id: string } | undefined;
    limit: number;
  },
): Promise<ScanSummary[]> {
  const { rows } = await db.query(
    `SELECT ${SCAN_COLUMNS} FROM scans s JOIN images i ON i.id = s.image_id
      WHERE s.project_id = $1 AND ($2::text IS NULL OR i.repository = $2)
        AND ($3::timestamptz IS NULL OR (s.received_at, s.id) < ($3::timestamptz, $4::uuid))
      ORDER BY s.received_at DESC, s.id DESC LIMIT $5`,
    [
      filter.projectId,
      filter.imageRepository ?? null,
      filter.before?.receivedAt ?? null,
      filter.before?.id ?? null,
      filter.limit,
    ],
  );
  return rows.map(toScan);
}
