import { hashPassword, verifyPassword } from '../auth/passwords.js';
import { randomSecret } from '../auth/secrets.js';
import type { ServerConfig } from '../config.js';
import { ApiError } from '../errors.js';
import type { ServiceContext } from './context.js';
import { recordSecurityEvent } from './events.js';
import { findUserByEmail, publicUser, type User } from './users.js';

export interface LoginAttempt {
  email: string;
  password: string;
  ip: string;
  requestId: string;
}

let dummyHash: Promise<string> | undefined;

/** A hash to verify against for unknown emails, so that they take as long as known ones. */
function dummyHashFor(config: ServerConfig): Promise<string> {
  dummyHash ??= hashPassword(randomSecret(), config.argon2);
  return dummyHash;
}

/** Milliseconds to wait before the next attempt: doubling from the third failure on. */
export function backoffMs(failedLogins: number, config: ServerConfig['login']): number {
  if (failedLogins < config.backoffAfter) return 0;
  const exponent = failedLogins - config.backoffAfter;
  return Math.min(config.backoffMaxMs, config.backoffBaseMs * 2 ** exponent);
}

async function recordFailure(context: ServiceContext, userId: string, attempt: LoginAttempt) {
  const { config, db } = context;
  const lockUntil = new Date(context.now().getTime() + config.login.lockMs);
  const { rows } = await db.query<{ failed_logins: number; locked_until: Date | null }>(
    `UPDATE users SET failed_logins = failed_logins + 1, last_failed_login_at = $2,
            locked_until = CASE WHEN failed_logins + 1 >= $3 THEN $4::timestamptz ELSE locked_until END
      WHERE id = $1 RETURNING failed_logins, locked_until`,
    [userId, context.now(), config.login.lockAfter, lockUntil],
  );
  const failedLogins = rows[0]?.failed_logins ?? 0;
  const base = { userId, subject: attempt.email, ip: attempt.ip, requestId: attempt.requestId };
  await recordSecurityEvent(context, {
    ...base,
    type: 'login.failed',
    outcome: 'failure',
    details: { reason: 'wrong-password', failedLogins },
  });
  if (failedLogins === config.login.lockAfter) {
    await recordSecurityEvent(context, {
      ...base,
      type: 'login.locked',
      outcome: 'failure',
      details: { lockedUntil: lockUntil.toISOString() },
    });
  }
}

/**
 * Checks an email and password. Failures in a row first make the caller wait (429 with
 * Retry-After, without checking the password) and then lock the account for a while.
 */
export async function authenticatePassword(
  context: ServiceContext,
  attempt: LoginAttempt,
): Promise<User> {
  const { config } = context;
  const now = context.now();
  const user = await findUserByEmail(context.db, attempt.email);
  const meta = { subject: attempt.email, ip: attempt.ip, requestId: attempt.requestId };
  if (!user || user.disabled) {
    await verifyPassword(await dummyHashFor(config), attempt.password);
    await recordSecurityEvent(context, {
      ...meta,
      userId: user?.id ?? null,
      type: 'login.failed',
      outcome: 'failure',
      details: { reason: user ? 'disabled' : 'unknown-email' },
    });
    throw new ApiError('invalid-credentials');
  }
  if (user.lockedUntil && user.lockedUntil > now) {
    await recordSecurityEvent(context, {
      ...meta,
      userId: user.id,
      type: 'login.failed',
      outcome: 'failure',
      details: { reason: 'locked' },
    });
    throw new ApiError('account-locked', 'Ask an administrator to unlock it, or wait.', {
      retryAfterSeconds: (user.lockedUntil.getTime() - now.getTime()) / 1000,
    });
  }
  const wait = backoffMs(user.failedLogins, config.login);
  const waitedSince = user.lastFailedLoginAt?.getTime() ?? 0;
  if (wait > 0 && now.getTime() - waitedSince < wait) {
    throw new ApiError('login-backoff', undefined, {
      retryAfterSeconds: (waitedSince + wait - now.getTime()) / 1000,
    });
  }
  if (!(await verifyPassword(user.passwordHash, attempt.password))) {
    await recordFailure(context, user.id, attempt);
    throw new ApiError('invalid-credentials');
  }
  await context.db.query(
    'UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1 AND failed_logins > 0',
    [user.id],
  );
  await recordSecurityEvent(context, {
    ...meta,
    userId: user.id,
    type: 'login.succeeded',
    outcome: 'success',
  });
  return publicUser(user);
}
