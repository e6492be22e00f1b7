import { hashPassword, passwordProblem } from '../auth/passwords.js';
import type { Role } from '../auth/permissions.js';
import type { Queryable } from '../db/database.js';
import { ApiError } from '../errors.js';
import type { ServiceContext } from './context.js';

export interface User {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  disabled: boolean;
  lockedUntil: Date | null;
  createdAt: Date;
}

export interface UserWithSecrets extends User {
  passwordHash: string;
  failedLogins: number;
  lastFailedLoginAt: Date | null;
}

const COLUMNS = `id, email, display_name, role, disabled, locked_until, created_at,
  password_hash, failed_logins, last_failed_login_at`;

function toUser(row: Record<string, unknown>): UserWithSecrets {
  return {
    id: row.id as string,
    email: row.email as string,
    displayName: row.display_name as string,
    role: row.role as Role,
    disabled: row.disabled as boolean,
    lockedUntil: (row.locked_until as Date | null) ?? null,
    createdAt: row.created_at as Date,
    passwordHash: row.password_hash as string,
    failedLogins: row.failed_logins as number,
    lastFailedLoginAt: (row.last_failed_login_at as Date | null) ?? null,
  };
}

/** Drops the password hash and login counters before a user leaves the service layer. */
export function publicUser(user: UserWithSecrets): User {
  const { passwordHash: _hash, failedLogins: _failed, lastFailedLoginAt: _last, ...rest } = user;
  return rest;
}

export async function findUserById(db: Queryable, id: string): Promise<UserWithSecrets | null> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  return rows[0] ? toUser(rows[0]) : null;
}

export async function findUserByEmail(
  db: Queryable,
  email: string,
): Promise<UserWithSecrets | null> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM users WHERE lower(email) = lower($1)`, [
    email,
  ]);
  return rows[0] ? toUser(rows[0]) : null;
}

export async function listUsers(
  db: Queryable,
  page: { after?: string | undefined; limit: number },
): Promise<User[]> {
  const { rows } = await db.query(
    `SELECT ${COLUMNS} FROM users WHERE ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2`,
    [page.after ?? null, page.limit],
  );
  return rows.map((row) => publicUser(toUser(row)));
}

export interface NewUser {
  email: string;
  displayName?: string | undefined;
  role: Role;
  password: string;
}

/** Creates a user with an argon2id password hash; a taken email is a conflict. */
export async function createUser(
  context: Pick<ServiceContext, 'db' | 'config'>,
  input: NewUser,
): Promise<User> {
  const problem = passwordProblem(input.password);
  if (problem)
    throw new ApiError('validation-failed', problem, {
      errors: [{ path: 'body/password', message: problem }],
    });
  const hash = await hashPassword(input.password, context.config.argon2);
  const { rows } = await context.db.query(
    `INSERT INTO users (email, display_name, role, password_hash)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING
     RETURNING ${COLUMNS}`,
    [input.email.trim(), input.displayName?.trim() || input.email.trim(), input.role, hash],
  );
  if (!rows[0]) throw new ApiError('conflict', `A user with email ${input.email} already exists.`);
  return publicUser(toUser(rows[0]));
}

export async function countActiveAdmins(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ count: number }>(
    "SELECT count(*)::int AS count FROM users WHERE role = 'admin' AND NOT disabled",
  );
  return rows[0]?.count ?? 0;
}

export interface UserChanges {
  role?: Role | undefined;
  disabled?: boolean | undefined;
  unlock?: boolean | undefined;
}

/** Applies an administrator's change; the last active administrator cannot be demoted or disabled. */
export async function updateUser(
  tx: Queryable,
  id: string,
  changes: UserChanges,
): Promise<{ before: UserWithSecrets; after: UserWithSecrets }> {
  const { rows } = await tx.query(`SELECT ${COLUMNS} FROM users WHERE id = $1 FOR UPDATE`, [id]);
  if (!rows[0]) throw new ApiError('not-found', `User ${id} does not exist.`);
  const before = toUser(rows[0]);
  const losesAdmin =
    before.role === 'admin' &&
    !before.disabled &&
    ((changes.role !== undefined && changes.role !== 'admin') || changes.disabled === true);
  if (losesAdmin && (await countActiveAdmins(tx)) <= 1) {
    throw new ApiError('last-admin', 'Promote another administrator first.');
  }
  const updated = await tx.query(
    `UPDATE users SET
        role = coalesce($2, role),
        disabled = coalesce($3, disabled),
        failed_logins = CASE WHEN $4 THEN 0 ELSE failed_logins END,
        locked_until = CASE WHEN $4 THEN NULL ELSE locked_until END,
        updated_at = now()
      WHERE id = $1
      RETURNING ${COLUMNS}`,
    [id, changes.role ?? null, changes.disabled ?? null, changes.unlock === true],
  );
  return { before, after: toUser(updated.rows[0] as Record<string, unknown>) };
}
