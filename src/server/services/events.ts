import type { Queryable } from '../db/database.js';
import type { ServiceContext } from './context.js';

export const SECURITY_EVENT_TYPES = [
  'login.succeeded',
  'login.failed',
  'login.locked',
  'logout',
  'session.expired',
  'permission.denied',
  'csrf.rejected',
  'origin.rejected',
  'token.used',
  'token.rejected',
  'token.created',
  'token.revoked',
  'user.created',
  'user.role-changed',
  'user.disabled',
  'user.enabled',
  'user.unlocked',
  'project.policy-changed',
  'acceptance.created',
  'acceptance.revoked',
] as const;

export type SecurityEventType = (typeof SECURITY_EVENT_TYPES)[number];

export interface SecurityEvent {
  type: SecurityEventType;
  outcome: 'success' | 'failure';
  userId?: string | null;
  tokenId?: string | null;
  /** What the event is about: an attempted email, a target user id, a project id. */
  subject?: string | null;
  ip?: string | null;
  requestId?: string | null;
  details?: Record<string, unknown>;
}

/**
 * Stores a security event and logs it: failures at warn, the rest at info. Pass `tx` to store
 * it in the same transaction as the change it describes.
 */
export async function recordSecurityEvent(
  context: Pick<ServiceContext, 'db' | 'log' | 'metrics'>,
  event: SecurityEvent,
  tx: Queryable = context.db,
): Promise<void> {
  await tx.query(
    `INSERT INTO security_events (type, outcome, user_id, token_id, subject, ip, request_id, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
    [
      event.type,
      event.outcome,
      event.userId ?? null,
      event.tokenId ?? null,
      event.subject ?? null,
      event.ip ?? null,
      event.requestId ?? null,
      JSON.stringify(event.details ?? {}),
    ],
  );
  context.metrics?.securityEvents.inc({ type: event.type, outcome: event.outcome });
  const fields = {
    securityEvent: event.type,
    outcome: event.outcome,
    userId: event.userId ?? undefined,
    tokenId: event.tokenId ?? undefined,
    subject: event.subject ?? undefined,
    ip: event.ip ?? undefined,
    details: event.details,
  };
  if (event.outcome === 'failure') context.log.warn(fields, 'security event');
  else context.log.info(fields, 'security event');
}

export interface StoredSecurityEvent extends SecurityEvent {
  id: string;
  occurredAt: Date;
}

export async function listSecurityEvents(
  db: Queryable,
  filter: { type?: string | undefined; before?: number | undefined; limit: number },
): Promise<StoredSecurityEvent[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT id::text, occurred_at, type, outcome, user_id, token_id, subject, ip, request_id, details
       FROM security_events
      WHERE ($1::text IS NULL OR type = $1) AND ($2::bigint IS NULL OR id < $2)
      ORDER BY security_events.id DESC LIMIT $3`,
    [filter.type ?? null, filter.before ?? null, filter.limit],
  );
  return rows.map((row) => ({
    id: row.id as string,
    occurredAt: row.occurred_at as Date,
    type: row.type as SecurityEventType,
    outcome: row.outcome as 'success' | 'failure',
    userId: row.user_id as string | null,
    tokenId: row.token_id as string | null,
    subject: row.subject as string | null,
    ip: row.ip as string | null,
    requestId: row.request_id as string | null,
    details: row.details as Record<string, unknown>,
  }));
}
