import type { Severity } from '../../finding/finding.js';
import { clockStart, computeDueAt, findingState, type SlaPolicy } from '../../vulns/sla.js';
import type { FindingState, Scanner, TrackedFinding } from '../../vulns/types.js';
import type { Queryable } from '../db/database.js';
import { ApiError } from '../errors.js';

export interface StoredFinding extends TrackedFinding {
  imageRepository: string;
  dueAt: Date | null;
  acceptedUntil: Date | null;
}

export interface FindingView extends StoredFinding {
  state: FindingState;
}

const COLUMNS = `f.id, f.vuln_id, f.aliases, f.package_name, f.package_location, f.package_type,
  f.installed_version, f.fixed_version, f.has_fix, f.severity, f.scanner_severity, f.title, f.status,
  f.open_in, f.first_seen_at, f.last_seen_at, f.fixed_at, f.reopened_at, f.reopen_count, f.due_at,
  f.accepted_until, i.repository`;

export function toStoredFinding(row: Record<string, unknown>): StoredFinding {
  return {
    id: row.id as string,
    vulnId: row.vuln_id as string,
    aliases: row.aliases as string[],
    packageName: row.package_name as string,
    packageLocation: row.package_location as string,
    packageType: row.package_type as string,
    installedVersion: row.installed_version as string,
    fixedVersion: (row.fixed_version as string | null) ?? null,
    hasFix: row.has_fix as boolean,
    severity: row.severity as Severity,
    scannerSeverity: row.scanner_severity as string,
    title: row.title as string,
    status: row.status as 'open' | 'fixed',
    openIn: row.open_in as Scanner[],
    firstSeenAt: row.first_seen_at as Date,
    lastSeenAt: row.last_seen_at as Date,
    fixedAt: (row.fixed_at as Date | null) ?? null,
    reopenedAt: (row.reopened_at as Date | null) ?? null,
    reopenCount: row.reopen_count as number,
    imageRepository: row.repository as string,
    dueAt: (row.due_at as Date | null) ?? null,
    acceptedUntil: (row.accepted_until as Date | null) ?? null,
  };
}

export function viewFinding(finding: StoredFinding, policy: SlaPolicy, now: Date): FindingView {
  return { ...finding, state: findingState(finding, policy, now) };
}

/** SQL conditions for each state; they must agree with `findingState` in src/vulns/sla.ts. */
const STATE_SQL: Record<FindingState, string> = {
  fixed: "f.status = 'fixed'",
  accepted: "f.status = 'open' AND f.accepted_until > $NOW",
  overdue:
    "f.status = 'open' AND (f.accepted_until IS NULL OR f.accepted_until <= $NOW) AND f.due_at <= $NOW",
  due_soon:
    "f.status = 'open' AND (f.accepted_until IS NULL OR f.accepted_until <= $NOW) AND f.due_at > $NOW AND f.due_at - $NOW <= (f.due_at - f.clock_started_at) * $RATIO",
  within_sla:
    "f.status = 'open' AND (f.accepted_until IS NULL OR f.accepted_until <= $NOW) AND (f.due_at IS NULL OR f.due_at - $NOW > (f.due_at - f.clock_started_at) * $RATIO)",
};

export interface FindingFilter {
  projectId: string;
  states?: FindingState[] | undefined;
  severities?: Severity[] | undefined;
  imageRepository?: string | undefined;
  vulnId?: string | undefined;
  packageName?: string | undefined;
  /** Keyset cursor: the due time and id of the last finding of the previous page. */
  after?: { dueAt: Date | null; id: string } | undefined;
  limit: number;
}

/** Lists findings ordered by due time (no deadline last), then id, with keyset pagination. */
export async function listFindings(
  db: Queryable,
  filter: FindingFilter,
  policy: SlaPolicy,
  now: Date,
): Promise<FindingView[]> {
  // A parameter that no condition uses has no type, which PostgreSQL rejects, so the clock and
  // the ratio are added only when a state condition uses them.
  const params: unknown[] = [filter.projectId];
  const where = ['f.project_id = $1'];
  const add = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filter.states?.length) {
    const sql = filter.states.map((state) => STATE_SQL[state]);
    const at = add(now);
    const ratio = sql.some((text) => text.includes('$RATIO')) ? add(policy.dueSoonRatio) : '';
    const states = filter.states.map(
      (state) =>
        `(${STATE_SQL[state].replaceAll('$NOW', `${at}::timestamptz`).replaceAll('$RATIO', `${ratio}::float8`)})`,
    );
    where.push(`(${states.join(' OR ')})`);
  }
  if (filter.severities?.length) where.push(`f.severity = ANY(${add(filter.severities)}::text[])`);
  if (filter.imageRepository) where.push(`i.repository = ${add(filter.imageRepository)}`);
  if (filter.vulnId) where.push(`${add(filter.vulnId)}::text = ANY(f.aliases)`);
  if (filter.packageName) where.push(`f.package_name = ${add(filter.packageName)}`);
  if (filter.after) {
    const id = add(filter.after.id);
    if (filter.after.dueAt) {
      const due = add(filter.after.dueAt);
      where.push(
        `(f.due_at > ${due} OR (f.due_at = ${due} AND f.id > ${id}::uuid) OR f.due_at IS NULL)`,
      );
    } else {
      where.push(`(f.due_at IS NULL AND f.id > ${id}::uuid)`);
    }
  }
  const { rows } = await db.query(
    `SELECT ${COLUMNS} FROM vuln_findings f JOIN images i ON i.id = f.image_id
      WHERE ${where.join(' AND ')}
      ORDER BY f.due_at ASC NULLS LAST, f.id ASC LIMIT ${add(filter.limit)}`,
    params,
  );
  return rows.map((row) => viewFinding(toStoredFinding(row), policy, now));
}

export async function getFinding(
  db: Queryable,
  projectId: string,
  findingId: string,
  policy: SlaPolicy,
  now: Date,
): Promise<FindingView> {
  const { rows } = await db.query(
    `SELECT ${COLUMNS} FROM vuln_findings f JOIN images i ON i.id = f.image_id
      WHERE f.project_id = $1 AND f.id = $2`,
    [projectId, findingId],
  );
  if (!rows[0])
    throw new ApiError('not-found', `Finding ${findingId} does not exist in this project.`);
  return viewFinding(toStoredFinding(rows[0]), policy, now);
}

/** Every finding of one image, open or fixed, as the reconciler takes them. */
export async function loadImageFindings(tx: Queryable, imageId: string): Promise<StoredFinding[]> {
  const { rows } = await tx.query(
    `SELECT ${COLUMNS} FROM vuln_findings f JOIN images i ON i.id = f.image_id WHERE f.image_id = $1`,
    [imageId],
  );
  return rows.map(toStoredFinding);
}

/** The columns a finding row stores, with the clock and deadline computed from the policy. */
export function findingRecord(finding: TrackedFinding, policy: SlaPolicy) {
  return {
    id: finding.id,
    vuln_id: finding.vulnId,
    aliases: finding.aliases,
    package_name: finding.packageName,
    package_location: finding.packageLocation,
    package_type: finding.packageType,
    installed_version: finding.installedVersion,
    fixed_version: finding.fixedVersion,
    has_fix: finding.hasFix,
    severity: finding.severity,
    scanner_severity: finding.scannerSeverity,
    title: finding.title,
    status: finding.status,
    open_in: finding.openIn,
    first_seen_at: finding.firstSeenAt.toISOString(),
    last_seen_at: finding.lastSeenAt.toISOString(),
    fixed_at: finding.fixedAt?.toISOString() ?? null,
    reopened_at: finding.reopenedAt?.toISOString() ?? null,
    reopen_count: finding.reopenCount,
    clock_started_at: clockStart(finding, policy).toISOString(),
    due_at: computeDueAt(finding, policy)?.toISOString() ?? null,
  };
}

/** Recomputes clocks and deadlines of a whole project in SQL, mirroring `computeDueAt`. */
export async function recomputeDeadlines(tx: Queryable, projectId: string, policy: SlaPolicy) {
  await tx.query(
    `UPDATE vuln_findings SET
        clock_started_at = CASE WHEN $2 AND reopened_at IS NOT NULL THEN reopened_at ELSE first_seen_at END,
        due_at = CASE WHEN NOT (has_fix OR $3) THEN NULL ELSE
          (CASE WHEN $2 AND reopened_at IS NOT NULL THEN reopened_at ELSE first_seen_at END)
          + make_interval(secs => ($4::jsonb ->> severity)::float8 * 3600) END
      WHERE project_id = $1`,
    [
      projectId,
      policy.reopenRestartsClock,
      policy.countWithoutFix,
      JSON.stringify(policy.deadlines),
    ],
  );
}

/**
 * Sets `accepted_until` from the project's acceptances: the latest expiry of the unrevoked
 * acceptances that match a finding's aliases, package and image. Limit it to one image with
 * `imageId`.
 */
export async function applyAcceptances(tx: Queryable, projectId: string, imageId?: string) {
  await tx.query(
    `UPDATE vuln_findings f SET accepted_until = m.until
       FROM (SELECT f2.id, max(a.expires_at) AS until
               FROM vuln_findings f2
               JOIN images i ON i.id = f2.image_id
               LEFT JOIN acceptances a ON a.project_id = f2.project_id AND a.revoked_at IS NULL
                    AND a.vuln_id = ANY(f2.aliases)
                    AND (a.package_name IS NULL OR a.package_name = f2.package_name)
                    AND (a.image_repository IS NULL OR a.image_repository = i.repository)
              WHERE f2.project_id = $1 AND ($2::uuid IS NULL OR f2.image_id = $2)
              GROUP BY f2.id) m
      WHERE f.id = m.id AND f.accepted_until IS DISTINCT FROM m.until`,
    [projectId, imageId ?? null],
  );
}
