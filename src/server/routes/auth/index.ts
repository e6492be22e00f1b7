import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { MAX_PASSWORD_LENGTH } from '../../auth/passwords.js';
import {
  createSession,
  destroySession,
  SESSION_COOKIE,
  type SessionData,
} from '../../auth/sessions.js';
import { ApiError } from '../../errors.js';
import { DateTime } from '../../schemas.js';
import { recordSecurityEvent } from '../../services/events.js';
import { authenticatePassword } from '../../services/login.js';
import { eventOrigin, PROBLEM_RESPONSES, principalOf, type RouteOptions } from '../shared.js';
import { CallerView } from '../users/schemas.js';

const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 320 }),
    password: Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH }),
  },
  { additionalProperties: false },
);

const SessionView = Type.Object({
  user: CallerView,
  kind: Type.Union([Type.Literal('session'), Type.Literal('token')]),
  csrfToken: Type.Optional(
    Type.String({ description: 'Send it in X-CSRF-Token on every write with the cookie.' }),
  ),
  expiresAt: Type.Optional(DateTime),
});

/**
 * Sets the session cookie: HttpOnly so scripts cannot read it, Secure and `__Host-` so it
 * only travels over HTTPS to this exact host, SameSite=Strict so other sites cannot send it.
 */
function setSessionCookie(reply: FastifyReply, sessionId: string, session: SessionData) {
  reply.setCookie(SESSION_COOKIE, sessionId, {
    httpOnly: true,
    secure: true,
    sameSite: 'strict',
    path: '/',
    expires: new Date(session.absoluteExpiresAt),
  });
}

const authRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { context }) => {
  app.post(
    '/api/v1/auth/login',
    {
      config: { access: { public: true } },
      schema: {
        summary: 'Log in with email and password and receive a session cookie',
        tags: ['auth'],
        body: LoginBody,
        response: { 200: SessionView, ...PROBLEM_RESPONSES },
      },
    },
    async (request, reply) => {
      const { login: limit, windowMs } = context.config.rateLimit;
      const hits = await context.store.increment(`rl:login:${request.ip}`, windowMs);
      if (hits.count > limit) {
        throw new ApiError('rate-limited', `Limit of ${limit} logins per client reached.`, {
          retryAfterSeconds: hits.resetMs / 1000,
        });
      }
      const user = await authenticatePassword(context, {
        email: request.body.email,
        password: request.body.password,
        ip: request.ip,
        requestId: String(request.id),
      });
      const previous = request.cookies[SESSION_COOKIE];
      if (previous) await destroySession(context.store, previous);
      const { sessionId, session } = await createSession(
        context.store,
        user.id,
        context.config.session,
        context.now().getTime(),
      );
      setSessionCookie(reply, sessionId, session);
      return {
        user: { id: user.id, email: user.email, displayName: user.displayName, role: user.role },
        kind: 'session' as const,
        csrfToken: session.csrfToken,
        expiresAt: new Date(session.absoluteExpiresAt),
      };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      config: { access: { authenticated: true, sessionOnly: true } },
      schema: {
        summary: 'End the current session',
        tags: ['auth'],
        response: { 204: Type.Null(), ...PROBLEM_RESPONSES },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      if (principal.kind === 'session') await destroySession(context.store, principal.sessionId);
      await recordSecurityEvent(context, {
        ...eventOrigin(request),
        type: 'logout',
        outcome: 'success',
        userId: principal.user.id,
      });
      reply.clearCookie(SESSION_COOKIE, { path: '/', secure: true, httpOnly: true });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/auth/session',
    {
      config: { access: { authenticated: true } },
      schema: {
        summary: 'Describe the caller: user, role and the CSRF token of a session',
        tags: ['auth'],
        response: { 200: SessionView, ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const user = principal.user;
      if (principal.kind === 'token') return { user, kind: 'token' as const };
      return { user, kind: 'session' as const, csrfToken: principal.csrfToken };
    },
  );
};

export default authRoutes;
