import { normalizeVulnId } from '../../vulns/aliases.js';
import type { Queryable } from '../db/database.js';
import { ApiError } from '../errors.js';
import { applyAcceptances } from './findings.js';

export interface StoredAcceptance {
  id: string;
  kind: 'risk-accepted' | 'false-positive';
  vulnId: string;
  packageName: string | null;
  imageRepository: string | null;
  reason: string;
  authorId: string | null;
  authorName: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

const COLUMNS =
  'id, kind, vuln_id, package_name, image_repository, reason, author_id, author_name, created_at, expires_at, revoked_at';

function toAcceptance(row: Record<string, unknown>): StoredAcceptance {
  return {
    id: row.id as string,
    kind: row.kind as StoredAcceptance['kind'],
    vulnId: row.vuln_id as string,
    packageName: (row.package_name as string | null) ?? null,
    imageRepository: (row.image_repository as string | null) ?? null,
    reason: row.reason as string,
    authorId: (row.author_id as string | null) ?? null,
    authorName: row.author_name as string,
    createdAt: row.created_at as Date,
    expiresAt: row.expires_at as Date,
    revokedAt: (row.revoked_at as Date | null) ?? null,
  };
}

export interface NewAcceptance {
  projectId: string;
  kind: StoredAcceptance['kind'];
  vulnId: string;
  packageName?: string | undefined;
  imageRepository?: string | undefined;
  reason: string;
  expiresAt: Date;
  author: { id: string; name: string };
}

/** Stores an acceptance and applies it to the project's findings in the same transaction. */
export async function createAcceptance(
  tx: Queryable,
  input: NewAcceptance,
): Promise<StoredAcceptance> {
  const { rows } = await tx.query(
    `INSERT INTO acceptances (project_id, kind, vuln_id, package_name, image_repository, reason,
        author_id, author_name, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
    [
      input.projectId,
      input.kind,
      normalizeVulnId(input.vulnId),
      input.packageName ?? null,
      input.imageRepository ?? null,
      input.reason,
      input.author.id,
      input.author.name,
      input.expiresAt,
    ],
  );
  await applyAcceptances(tx, input.projectId);
  return toAcceptance(rows[0] as Record<string, unknown>);
}

export async function revokeAcceptance(
  tx: Queryable,
  projectId: string,
  id: string,
  revokedBy: string,
  at: Date,
): Promise<StoredAcceptance> {
  const { rows } = await tx.query(
    `UPDATE acceptances SET revoked_at = coalesce(revoked_at, $3), revoked_by = coalesce(revoked_by, $4)
      WHERE id = $1 AND project_id = $2 RETURNING ${COLUMNS}`,
    [id, projectId, at, revokedBy],
  );
  if (!rows[0]) throw new ApiError('not-found', `Acceptance ${id} does not exist in this project.`);
  await applyAcceptances(tx, projectId);
  return toAcceptance(rows[0]);
}

export async function listAcceptances(
  db: Queryable,
  filter: {
    projectId: string;
    active?: boolean | undefined;
    now: Date;
    after?: string | undefined;
    limit: number;
  },
): Promise<StoredAcceptance[]> {
  const { rows } = await db.query(
    `SELECT ${COLUMNS} FROM acceptances
      WHERE project_id = $1
        AND ($2::boolean IS NULL OR ($2 = (revoked_at IS NULL AND expires_at > $3)))
        AND ($4::uuid IS NULL OR id > $4)
      ORDER BY id LIMIT $5`,
    [filter.projectId, filter.active ?? null, filter.now, filter.after ?? null, filter.limit],
  );
  return rows.map(toAcceptance);
}
