import type { Finding, Severity } from '../../finding/finding.js';
import type { Queryable } from '../db/database.js';
import { ApiError } from '../errors.js';
import type { ServiceContext } from './context.js';
import { requireProject } from './projects.js';

/** The JSON report `infraprime audit --format json` writes. */
export interface AuditReport {
  schemaVersion: string;
  tool: { name: string; version: string };
  root: string;
  generatedAt: string;
  summary: {
    files: number;
    findings: number;
    suppressed: number;
    bySeverity: Record<Severity, number>;
  };
  findings: Finding[];
}

export interface AuditSummary {
  id: string;
  root: string;
  schemaVersion: string;
  toolVersion: string;
  generatedAt: Date | null;
  receivedAt: Date;
  findingsCount: number;
  summary: AuditReport['summary'];
}

const COLUMNS =
  'id, root, schema_version, tool_version, generated_at, received_at, findings_count, summary';

function toAudit(row: Record<string, unknown>): AuditSummary {
  return {
    id: row.id as string,
    root: row.root as string,
    schemaVersion: row.schema_version as string,
    toolVersion: row.tool_version as string,
    generatedAt: (row.generated_at as Date | null) ?? null,
    receivedAt: row.received_at as Date,
    findingsCount: row.findings_count as number,
    summary: row.summary as AuditReport['summary'],
  };
}

const CHUNK = 2000;

async function insertAuditFindings(tx: Queryable, auditId: string, findings: Finding[]) {
  for (let start = 0; start < findings.length; start += CHUNK) {
    const records = findings.slice(start, start + CHUNK).map((finding, index) => ({
      position: start + index,
      rule_id: finding.ruleId,
      kind: finding.kind,
      severity: finding.severity,
      layer: finding.layer,
      control: finding.control,
      message: finding.message,
      fingerprint: finding.fingerprint,
      location: finding.location ?? null,
      related: finding.related ?? null,
      evidence: finding.evidence ?? null,
      suppression: finding.suppression ?? null,
    }));
    await tx.query(
      `INSERT INTO audit_findings (audit_id, position, rule_id, kind, severity, layer, control,
          message, fingerprint, location, related, evidence, suppression)
       SELECT $1, r.position, r.rule_id, r.kind, r.severity, r.layer, r.control, r.message,
          r.fingerprint, r.location, r.related, r.evidence, r.suppression
         FROM jsonb_to_recordset($2::jsonb) AS r(position integer, rule_id text, kind text,
          severity text, layer text, control text, message text, fingerprint text, location jsonb,
          related jsonb, evidence text, suppression jsonb)`,
      [auditId, JSON.stringify(records)],
    );
  }
}

async function findBySha(tx: Queryable, projectId: string, sha256: string) {
  const { rows } = await tx.query(
    `SELECT ${COLUMNS} FROM audits WHERE project_id = $1 AND report_sha256 = $2`,
    [projectId, sha256],
  );
  return rows[0] ? toAudit(rows[0]) : null;
}

/**
 * Stores an audit report and its findings in one transaction and compares its fingerprints
 * with the project's previous audit. The same report sent twice changes nothing.
 */
export async function ingestAudit(
  context: ServiceContext,
  upload: {
    projectId: string;
    report: AuditReport;
    sha256: string;
    userId: string;
    tokenId: string | null;
  },
): Promise<{ audit: AuditSummary; duplicate: boolean; newCount: number; resolvedCount: number }> {
  const { report } = upload;
  if (report.findings.length > context.config.maxReportEntries) {
    throw new ApiError(
      'report-too-large',
      `The audit lists ${report.findings.length} findings; the limit is ${context.config.maxReportEntries}.`,
    );
  }
  const generatedAt = new Date(report.generatedAt);
  return context.db.transaction(async (tx) => {
    const project = await requireProject(tx, upload.projectId);
    await tx.query('SELECT id FROM projects WHERE id = $1 FOR UPDATE', [project.id]);
    const existing = await findBySha(tx, project.id, upload.sha256);
    if (existing) return { audit: existing, duplicate: true, newCount: 0, resolvedCount: 0 };

    const { rows: previous } = await tx.query<{ fingerprint: string }>(
      `SELECT DISTINCT fingerprint FROM audit_findings WHERE audit_id =
         (SELECT id FROM audits WHERE project_id = $1 ORDER BY received_at DESC, id DESC LIMIT 1)`,
      [project.id],
    );
    const { rows } = await tx.query<{ id: string }>(
      `INSERT INTO audits (project_id, report_sha256, schema_version, tool_version, root,
          generated_at, received_at, summary, findings_count, uploaded_by, token_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11) RETURNING id`,
      [
        project.id,
        upload.sha256,
        report.schemaVersion,
        report.tool.version,
        report.root,
        Number.isNaN(generatedAt.getTime()) ? null : generatedAt,
        context.now(),
        JSON.stringify(report.summary),
        report.findings.length,
        upload.userId,
        upload.tokenId,
      ],
    );
    const auditId = rows[0]?.id as string;
    await insertAuditFindings(tx, auditId, report.findings);
    const before = new Set(previous.map((row) => row.fingerprint));
    const now = new Set(report.findings.map((finding) => finding.fingerprint));
    const newCount = [...now].filter((fingerprint) => !before.has(fingerprint)).length;
    const resolvedCount = [...before].filter((fingerprint) => !now.has(fingerprint)).length;
    const audit = (await findBySha(tx, project.id, upload.sha256)) as AuditSummary;
    return { audit, duplicate: false, newCount, resolvedCount };
  });
}

export async function listAudits(
  db: Queryable,
  filter: {
    projectId: string;
    before?: { receivedAt: Date; id: string } | undefined;
    limit: number;
  },
): Promise<AuditSummary[]> {
  const { rows } = await db.query(
    `SELECT ${COLUMNS} FROM audits
      WHERE project_id = $1 AND ($2::timestamptz IS NULL OR (received_at, id) < ($2::timestamptz, $3::uuid))
      ORDER BY received_at DESC, id DESC LIMIT $4`,
    [filter.projectId, filter.before?.receivedAt ?? null, filter.before?.id ?? null, filter.limit],
  );
  return rows.map(toAudit);
}

export async function listAuditFindings(
  db: Queryable,
  filter: {
    projectId: string;
    auditId: string;
    severity?: string[] | undefined;
    after?: number | undefined;
    limit: number;
  },
): Promise<Array<Finding & { position: number }>> {
  const { rows: audits } = await db.query(
    'SELECT id FROM audits WHERE id = $1 AND project_id = $2',
    [filter.auditId, filter.projectId],
  );
  if (!audits[0])
    throw new ApiError('not-found', `Audit ${filter.auditId} does not exist in this project.`);
  const { rows } = await db.query(
    `SELECT position, rule_id, kind, severity, layer, control, message, fingerprint, location,
            related, evidence, suppression
       FROM audit_findings
      WHERE audit_id = $1 AND ($2::text[] IS NULL OR severity = ANY($2::text[])) AND position > $3
      ORDER BY position LIMIT $4`,
    [filter.auditId, filter.severity ?? null, filter.after ?? -1, filter.limit],
  );
  return rows.map((row) => ({
    position: row.position as number,
    ruleId: row.rule_id as string,
    kind: row.kind as Finding['kind'],
    severity: row.severity as Finding['severity'],
    layer: row.layer as Finding['layer'],
    control: row.control as string,
    message: row.message as string,
    fingerprint: row.fingerprint as string,
    ...(row.location ? { location: row.location as Finding['location'] } : {}),
    ...(row.related ? { related: row.related as Finding['related'] } : {}),
    ...(row.evidence !== null ? { evidence: row.evidence as string } : {}),
    ...(row.suppression ? { suppression: row.suppression as Finding['suppression'] } : {}),
  }));
}
