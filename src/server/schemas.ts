import { type TSchema, Type } from 'typebox';
import { SEVERITIES } from '../finding/finding.js';
import { FINDING_STATES } from '../vulns/types.js';
import { ApiError } from './errors.js';

/** Shared TypeBox building blocks for route schemas. */

export const Uuid = Type.String({ format: 'uuid' });
/** Serialised as an ISO 8601 string; handlers may return Date objects. */
export const DateTime = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' });
export const NullableDateTime = Type.Unsafe<Date | string | null>({
  type: ['string', 'null'],
  format: 'date-time',
});
export const SeveritySchema = Type.Enum(SEVERITIES);
export const FindingStateSchema = Type.Enum(FINDING_STATES);
export const RoleSchema = Type.Union([
  Type.Literal('admin'),
  Type.Literal('engineer'),
  Type.Literal('viewer'),
]);

export const ProjectParams = Type.Object({ projectId: Uuid }, { additionalProperties: false });

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
};

/** A page of results; `nextCursor` is absent on the last page. */
export function Page<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    nextCursor: Type.Optional(Type.String()),
  });
}

export const ProblemRef = Type.Ref('Problem');

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Decodes a cursor made by `encodeCursor`; anything else is a 400 invalid-cursor. */
export function decodeCursor<T>(text: string | undefined, check: (value: unknown) => value is T) {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (check(value)) return value;
  } catch {
    // Falls through to the error below.
  }
  throw new ApiError('invalid-cursor', 'Pass the nextCursor of the previous page unchanged.');
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}

export function isTimeAndId(value: unknown): value is [string, string] {
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    typeof value[0] === 'string' &&
    !Number.isNaN(Date.parse(value[0])) &&
    isUuid(value[1])
  );
}

/** Builds the next cursor when the page is full. */
export function nextCursor<T>(items: T[], limit: number, key: (item: T) => unknown) {
  const last = items[items.length - 1];
  return items.length === limit && last !== undefined ? encodeCursor(key(last)) : undefined;
}

export function iso(date: Date | string | null): string | null {
  return date === null ? null : new Date(date).toISOString();
}
