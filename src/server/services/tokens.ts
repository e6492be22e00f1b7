import type { Role, TokenAction } from '../auth/permissions.js';
import { newApiToken } from '../auth/secrets.js';
import type { Queryable } from '../db/database.js';
import { ApiError } from '../errors.js';

export interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  userId: string;
  projectIds: string[];
  actions: TokenAction[];
  expiresAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
}

export interface TokenOwner {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  disabled: boolean;
}

const COLUMNS =
  't.id, t.name, t.prefix, t.user_id, t.project_ids, t.actions, t.expires_at, t.revoked_at, t.last_used_at, t.created_at';

function toToken(row: Record<string, unknown>): ApiToken {
  return {
    id: row.id as string,
    name: row.name as string,
    prefix: row.prefix as string,
    userId: row.user_id as string,
    projectIds: row.project_ids as string[],
    actions: row.actions as TokenAction[],
    expiresAt: row.expires_at as Date,
    revokedAt: (row.revoked_at as Date | null) ?? null,
    lastUsedAt: (row.last_used_at as Date | null) ?? null,
    createdAt: row.created_at as Date,
  };
}

export interface NewToken {
  name: string;
  userId: string;
  projectIds: string[];
  actions: TokenAction[];
  expiresAt: Date;
}

/** Creates a token; the secret is returned here once and only its SHA-256 hash is stored. */
export async function createApiToken(
  db: Queryable,
  input: NewToken,
): Promise<{ token: ApiToken; secret: string }> {
  const { rows: projects } = await db.query<{ id: string }>(
    'SELECT id FROM projects WHERE id = ANY($1::uuid[])',
    [input.projectIds],
  );
  const missing = input.projectIds.filter((id) => !projects.some((project) => project.id === id));
  if (missing.length > 0) throw new ApiError('not-found', `Project ${missing[0]} does not exist.`);
  const secret = newApiToken();
  const { rows } = await db.query(
    `INSERT INTO api_tokens AS t (name, token_hash, prefix, user_id, project_ids, actions, expires_at)
     VALUES ($1, $2, $3, $4, $5::uuid[], $6::text[], $7) RETURNING ${COLUMNS}`,
    [
      input.name,
      secret.hash,
      secret.prefix,
      input.userId,
      input.projectIds,
      input.actions,
      input.expiresAt,
    ],
  );
  return { token: toToken(rows[0] as Record<string, unknown>), secret: secret.token };
}

export async function findTokenByHash(
  db: Queryable,
  hash: string,
): Promise<{ token: ApiToken; owner: TokenOwner } | null> {
  const { rows } = await db.query(
    `SELECT ${COLUMNS}, u.email, u.display_name, u.role, u.disabled
       FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1`,
    [hash],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    token: toToken(row),
    owner: {
      id: row.user_id as string,
      email: row.email as string,
      displayName: row.display_name as string,
      role: row.role as Role,
      disabled: row.disabled as boolean,
    },
  };
}

export async function listApiTokens(
  db: Queryable,
  filter: { userId?: string | undefined; after?: string | undefined; limit: number },
): Promise<ApiToken[]> {
  const { rows } = await db.query(
    `SELECT ${COLUMNS} FROM api_tokens t
      WHERE ($1::uuid IS NULL OR t.user_id = $1) AND ($2::uuid IS NULL OR t.id > $2)
      ORDER BY t.id LIMIT $3`,
    [filter.userId ?? null, filter.after ?? null, filter.limit],
  );
  return rows.map(toToken);
}

export async function findApiToken(db: Queryable, id: string): Promise<ApiToken | null> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM api_tokens t WHERE t.id = $1`, [id]);
  return rows[0] ? toToken(rows[0]) : null;
}

export async function revokeApiToken(db: Queryable, id: string, at: Date): Promise<ApiToken> {
  const { rows } = await db.query(
    `UPDATE api_tokens t SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, at],
  );
  if (!rows[0]) throw new ApiError('not-found', `Token ${id} does not exist.`);
  return toToken(rows[0]);
}

export async function markTokenUsed(db: Queryable, id: string, at: Date): Promise<void> {
  await db.query('UPDATE api_tokens SET last_used_at = $2 WHERE id = $1', [id, at]);
}
