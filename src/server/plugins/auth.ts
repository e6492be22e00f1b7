import '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type Access, isTokenAction, type Permission, roleAllows } from '../auth/permissions.js';
import type { Principal } from '../auth/principal.js';
import { hashSecret, safeEqual, TOKEN_PREFIX } from '../auth/secrets.js';
import { SESSION_COOKIE, touchSession } from '../auth/sessions.js';
import { ApiError } from '../errors.js';
import type { ServiceContext } from '../services/context.js';
import { recordSecurityEvent, type SecurityEvent } from '../services/events.js';
import { findTokenByHash, markTokenUsed } from '../services/tokens.js';
import { findUserById } from '../services/users.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Time within which a token's repeated uses leave `lastUsedAt` as it is, so it may lag this much. */
export const LAST_USED_PRECISION_MS = 60_000;

function eventBase(request: FastifyRequest): Pick<SecurityEvent, 'ip' | 'requestId'> {
  return { ip: request.ip, requestId: String(request.id) };
}

async function authenticateToken(
  context: ServiceContext,
  request: FastifyRequest,
  secret: string,
): Promise<Principal> {
  const found = secret.startsWith(TOKEN_PREFIX)
    ? await findTokenByHash(context.db, hashSecret(secret))
    : null;
  const now = context.now();
  const reason = !found
    ? 'unknown'
    : found.token.revokedAt
      ? 'revoked'
      : found.token.expiresAt <= now
        ? 'expired'
        : found.owner.disabled
          ? 'owner-disabled'
          : null;
  if (!found || reason) {
    await recordSecurityEvent(context, {
      ...eventBase(request),
      type: 'token.rejected',
      outcome: 'failure',
      tokenId: found?.token.id ?? null,
      userId: found?.owner.id ?? null,
      details: { reason },
    });
    throw new ApiError('invalid-token');
  }
  const { token, owner } = found;
  // A CI job may use one token for a burst of requests, so its row is updated once a minute.
  // Every use is still recorded as a security event below.
  // A stored time ahead of the clock, after the clock was set back, is replaced too.
  const lastUsed = token.lastUsedAt?.getTime();
  if (lastUsed === undefined || Math.abs(now.getTime() - lastUsed) >= LAST_USED_PRECISION_MS) {
    await markTokenUsed(context.db, token.id, now);
  }
  await recordSecurityEvent(context, {
    ...eventBase(request),
    type: 'token.used',
    outcome: 'success',
    tokenId: token.id,
    userId: owner.id,
    details: { method: request.method, route: request.routeOptions.url },
  });
  return {
    kind: 'token',
    user: { id: owner.id, email: owner.email, displayName: owner.displayName, role: owner.role },
    token: { id: token.id, name: token.name, projectIds: token.projectIds, actions: token.actions },
  };
}

async function authenticateSession(
  context: ServiceContext,
  request: FastifyRequest,
  sessionId: string,
): Promise<Principal> {
  const session = await touchSession(
    context.store,
    sessionId,
    context.config.session,
    context.now().getTime(),
  );
  const user = session ? await findUserById(context.db, session.userId) : null;
  if (!session || !user || user.disabled) {
    request.log.info({ reason: session ? 'user-disabled' : 'expired' }, 'session rejected');
    throw new ApiError('session-expired');
  }
  return {
    kind: 'session',
    user: { id: user.id, email: user.email, displayName: user.displayName, role: user.role },
    sessionId,
    csrfToken: session.csrfToken,
  };
}

/** Identifies the caller from a bearer token, else a session cookie; returns null for neither. */
async function authenticate(
  context: ServiceContext,
  request: FastifyRequest,
): Promise<Principal | null> {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new ApiError('invalid-token', 'Use Authorization: Bearer <token>.');
    return authenticateToken(context, request, match[1]);
  }
  const sessionId = request.cookies[SESSION_COOKIE];
  return sessionId ? authenticateSession(context, request, sessionId) : null;
}

function tokenAllows(principal: Extract<Principal, { kind: 'token' }>, permission: Permission) {
  return (
    isTokenAction(permission) &&
    principal.token.actions.includes(permission) &&
    roleAllows(principal.user.role, permission)
  );
}

/** Returns why the principal may not use the route, or null when it may. */
function denialReason(
  principal: Principal,
  access: Access,
  request: FastifyRequest,
): string | null {
  if ('sessionOnly' in access && access.sessionOnly && principal.kind === 'token')
    return 'session-only';
  if (!('permission' in access)) return null;
  if (principal.kind === 'session') {
    return roleAllows(principal.user.role, access.permission) ? null : 'role';
  }
  if (!tokenAllows(principal, access.permission)) return 'token-action';
  if (!access.project) return 'token-not-project-scoped';
  const projectId = (request.params as { projectId?: string }).projectId;
  return projectId && principal.token.projectIds.includes(projectId) ? null : 'token-project';
}

function checkOrigin(request: FastifyRequest, allowed: Set<string>): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (allowed.has(origin)) return true;
  const host = request.headers.host;
  return host !== undefined && (origin === `https://${host}` || origin === `http://${host}`);
}

async function checkCsrf(context: ServiceContext, request: FastifyRequest, principal: Principal) {
  if (principal.kind !== 'session' || SAFE_METHODS.has(request.method)) return;
  const base = { ...eventBase(request), userId: principal.user.id };
  if (!checkOrigin(request, new Set(context.config.corsOrigins))) {
    await recordSecurityEvent(context, {
      ...base,
      type: 'origin.rejected',
      outcome: 'failure',
      details: { origin: request.headers.origin },
    });
    throw new ApiError('origin-rejected');
  }
  const header = request.headers['x-csrf-token'];
  if (typeof header !== 'string' || !safeEqual(header, principal.csrfToken)) {
    await recordSecurityEvent(context, { ...base, type: 'csrf.rejected', outcome: 'failure' });
    throw new ApiError(
      'csrf-failed',
      'Send the csrfToken from the login response in X-CSRF-Token.',
    );
  }
}

async function limitAccount(context: ServiceContext, principal: Principal): Promise<void> {
  const { perAccount, windowMs } = context.config.rateLimit;
  const key =
    principal.kind === 'token' ? `token:${principal.token.id}` : `user:${principal.user.id}`;
  const { count, resetMs } = await context.store.increment(`rl:account:${key}`, windowMs);
  if (count > perAccount) {
    throw new ApiError('rate-limited', `Limit of ${perAccount} requests per account reached.`, {
      retryAfterSeconds: resetMs / 1000,
    });
  }
}

/**
 * Authenticates and authorises every request in onRequest, before the body is read, from the
 * route's `config.access`. Cookie-authenticated writes also need the session's CSRF token.
 */
async function authPlugin(
  app: FastifyInstance,
  options: { context: ServiceContext },
): Promise<void> {
  const { context } = options;
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (!access || 'public' in access) return;
    const principal = await authenticate(context, request);
    if (!principal) throw new ApiError('unauthenticated', 'Log in, or send an API token.');
    request.principal = principal;
    const reason = denialReason(principal, access, request);
    if (reason) {
      await recordSecurityEvent(context, {
        ...eventBase(request),
        type: 'permission.denied',
        outcome: 'failure',
        userId: principal.user.id,
        tokenId: principal.kind === 'token' ? principal.token.id : null,
        details: { reason, method: request.method, route: request.routeOptions.url },
      });
      throw new ApiError('forbidden');
    }
    await checkCsrf(context, request, principal);
    await limitAccount(context, principal);
  });
}

export default fp(authPlugin, { name: 'infraprime-auth', dependencies: ['@fastify/cookie'] });
