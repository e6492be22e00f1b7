import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { roleAllows, TOKEN_ACTIONS } from '../../auth/permissions.js';
import type { Principal } from '../../auth/principal.js';
import { ApiError } from '../../errors.js';
import {
  DateTime,
  decodeCursor,
  isUuid,
  NullableDateTime,
  nextCursor,
  Page,
  PageQuery,
  Uuid,
} from '../../schemas.js';
import { recordSecurityEvent } from '../../services/events.js';
import {
  type ApiToken,
  createApiToken,
  findApiToken,
  listApiTokens,
  revokeApiToken,
} from '../../services/tokens.js';
import { eventActor, PROBLEM_RESPONSES, principalOf, type RouteOptions } from '../shared.js';

const TokenAction = Type.Enum(TOKEN_ACTIONS);

const TokenView = Type.Object({
  id: Uuid,
  name: Type.String(),
  prefix: Type.String({ description: 'The first characters of the secret, to recognise it.' }),
  userId: Uuid,
  projectIds: Type.Array(Uuid),
  actions: Type.Array(TokenAction),
  expiresAt: DateTime,
  revokedAt: NullableDateTime,
  lastUsedAt: NullableDateTime,
  createdAt: DateTime,
});

const NewTokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    projectIds: Type.Array(Uuid, { minItems: 1, maxItems: 100, uniqueItems: true }),
    actions: Type.Array(TokenAction, { minItems: 1, uniqueItems: true }),
    expiresInDays: Type.Integer({ minimum: 1, maximum: 366 }),
  },
  { additionalProperties: false },
);

const TokenParams = Type.Object({ tokenId: Uuid }, { additionalProperties: false });

const ACCESS = { access: { permission: 'tokens:manage' as const, sessionOnly: true } };
const DAY_MS = 86_400_000;

/** Returns whether the principal may read the token: administrators read every token, others only their own. */
function canSee(principal: Principal, token: ApiToken): boolean {
  return principal.user.role === 'admin' || token.userId === principal.user.id;
}

const tokenRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { context }) => {
  app.get(
    '/api/v1/tokens',
    {
      config: ACCESS,
      schema: {
        summary: 'List API tokens: all for administrators, else the caller’s own',
        tags: ['tokens'],
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Page(TokenView), ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const limit = request.query.limit ?? 50;
      const after = decodeCursor(request.query.cursor, isUuid);
      const userId = principal.user.role === 'admin' ? undefined : principal.user.id;
      const items = await listApiTokens(context.db, { userId, after, limit });
      return { items, nextCursor: nextCursor(items, limit, (token) => token.id) };
    },
  );

  app.post(
    '/api/v1/tokens',
    {
      config: ACCESS,
      schema: {
        summary: 'Create an API token scoped to projects and actions',
        description: 'The response is the only time the secret is shown; only its hash is stored.',
        tags: ['tokens'],
        body: NewTokenBody,
        response: {
          201: Type.Object({ token: TokenView, secret: Type.String() }),
          ...PROBLEM_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { body } = request;
      const denied = body.actions.find((action) => !roleAllows(principal.user.role, action));
      if (denied) {
        throw new ApiError('forbidden', `Your role cannot grant ${denied} to a token.`);
      }
      if (body.expiresInDays > context.config.maxTokenDays) {
        throw new ApiError('validation-failed', 'The token lifetime is too long.', {
          errors: [
            {
              path: 'body/expiresInDays',
              message: `must be at most ${context.config.maxTokenDays}`,
            },
          ],
        });
      }
      const expiresAt = new Date(context.now().getTime() + body.expiresInDays * DAY_MS);
      const created = await createApiToken(context.db, {
        name: body.name,
        userId: principal.user.id,
        projectIds: body.projectIds,
        actions: body.actions,
        expiresAt,
      });
      await recordSecurityEvent(context, {
        ...eventActor(request),
        type: 'token.created',
        outcome: 'success',
        subject: created.token.id,
        details: { projectIds: body.projectIds, actions: body.actions, expiresAt },
      });
      return reply.code(201).send(created);
    },
  );

  app.delete(
    '/api/v1/tokens/:tokenId',
    {
      config: ACCESS,
      schema: {
        summary: 'Revoke an API token',
        tags: ['tokens'],
        params: TokenParams,
        response: { 200: TokenView, ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const { tokenId } = request.params;
      const token = await findApiToken(context.db, tokenId);
      if (!token || !canSee(principalOf(request), token)) {
        throw new ApiError('not-found', `Token ${tokenId} does not exist.`);
      }
      const revoked = await revokeApiToken(context.db, tokenId, context.now());
      await recordSecurityEvent(context, {
        ...eventActor(request),
        type: 'token.revoked',
        outcome: 'success',
        subject: tokenId,
      });
      return revoked;
    },
  );
};

export default tokenRoutes;
