import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal.js';
import { ApiError } from '../errors.js';
import { ProblemRef } from '../schemas.js';
import type { ServiceContext } from '../services/context.js';
import type { SecurityEvent } from '../services/events.js';

/** Options every route plugin receives from the app plugin. */
export interface RouteOptions {
  context: ServiceContext;
}

/** Error responses of every route, for the OpenAPI document and the serializer. */
export const PROBLEM_RESPONSES = { '4xx': ProblemRef, '5xx': ProblemRef } as const;

/** Returns the caller; the auth hook has set it on every route that is not public. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) {
    throw new Error('this is a bug in InfraPrime: a protected route ran without a principal');
  }
  return request.principal;
}

/** Returns the request fields every security event carries. */
export function eventOrigin(request: FastifyRequest): Pick<SecurityEvent, 'ip' | 'requestId'> {
  return { ip: request.ip, requestId: String(request.id) };
}

/** Fields of a security event caused by the calling user or token. */
export function eventActor(
  request: FastifyRequest,
): Pick<SecurityEvent, 'ip' | 'requestId' | 'userId' | 'tokenId'> {
  const principal = principalOf(request);
  return {
    ...eventOrigin(request),
    userId: principal.user.id,
    tokenId: principal.kind === 'token' ? principal.token.id : null,
  };
}

/** Parses a comma-separated query value into known items; an unknown item is a 400. */
export function parseList<T extends string>(
  text: string | undefined,
  allowed: readonly T[],
  name: string,
): T[] | undefined {
  if (text === undefined || text === '') return undefined;
  const items = text.split(',').map((item) => item.trim());
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      const message = `unknown value '${item}'; expected ${allowed.join(', ')}`;
      throw new ApiError('validation-failed', `Query parameter ${name} is invalid.`, {
        errors: [{ path: `querystring/${name}`, message }],
      });
    }
  }
  return items as T[];
}

/**
 * Maximum nesting of arrays and objects in a report. JSON.stringify and other recursive code
 * overflow the call stack on a few thousand levels, so deeper reports are rejected first.
 */
export const MAX_REPORT_DEPTH = 64;

/** Throws report-invalid when `body` nests arrays and objects more than MAX_REPORT_DEPTH deep. */
function assertReportDepth(body: unknown): void {
  // An explicit stack, because a recursive walk would overflow on the input it guards against.
  const pending: Array<{ value: unknown; depth: number }> = [{ value: body, depth: 0 }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    if (item.value === null || typeof item.value !== 'object') continue;
    if (item.depth >= MAX_REPORT_DEPTH) {
      throw new ApiError(
        'report-invalid',
        `The report nests JSON arrays and objects more than ${MAX_REPORT_DEPTH} levels deep.`,
      );
    }
    for (const child of Object.values(item.value)) {
      pending.push({ value: child, depth: item.depth + 1 });
    }
  }
}

/**
 * Hashes a parsed report. Two uploads with the same JSON value get the same digest whatever
 * their whitespace, which is what makes a repeated upload a no-op. Throws report-invalid on a
 * report nested more than MAX_REPORT_DEPTH levels deep.
 */
export function reportDigest(body: unknown): string {
  assertReportDepth(body);
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}
