import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ApiError } from '../../errors.js';
import {
  DateTime,
  decodeCursor,
  isUuid,
  NullableDateTime,
  nextCursor,
  Page,
  PageQuery,
  ProjectParams,
  Uuid,
} from '../../schemas.js';
import { createAcceptance, listAcceptances, revokeAcceptance } from '../../services/acceptances.js';
import { recordSecurityEvent } from '../../services/events.js';
import { requireProject } from '../../services/projects.js';
import { eventActor, PROBLEM_RESPONSES, principalOf, type RouteOptions } from '../shared.js';

const Kind = Type.Union([Type.Literal('risk-accepted'), Type.Literal('false-positive')]);

const AcceptanceView = Type.Object({
  id: Uuid,
  kind: Kind,
  vulnId: Type.String(),
  packageName: Type.Union([Type.String(), Type.Null()]),
  imageRepository: Type.Union([Type.String(), Type.Null()]),
  reason: Type.String(),
  authorId: Type.Union([Uuid, Type.Null()]),
  authorName: Type.String(),
  createdAt: DateTime,
  expiresAt: DateTime,
  revokedAt: NullableDateTime,
});

const NewAcceptanceBody = Type.Object(
  {
    kind: Kind,
    vulnId: Type.String({ minLength: 1, maxLength: 200, description: 'Any alias of the flaw.' }),
    packageName: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    imageRepository: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    reason: Type.String({ minLength: 10, maxLength: 2000 }),
    expiresAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

const AcceptanceParams = Type.Object(
  { projectId: Uuid, acceptanceId: Uuid },
  { additionalProperties: false },
);

const DAY_MS = 86_400_000;

const acceptanceRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { context }) => {
  /** An expiry must lie in the future and at most `maxAcceptanceDays` ahead. */
  function checkExpiry(text: string): Date {
    const expiresAt = new Date(text);
    const now = context.now().getTime();
    const max = context.config.maxAcceptanceDays;
    if (expiresAt.getTime() <= now || expiresAt.getTime() > now + max * DAY_MS) {
      const message = `must be in the future and at most ${max} days ahead`;
      throw new ApiError('validation-failed', 'The expiry is out of range.', {
        errors: [{ path: 'body/expiresAt', message }],
      });
    }
    return expiresAt;
  }

  app.get(
    '/api/v1/projects/:projectId/acceptances',
    {
      config: { access: { permission: 'findings:read', project: true } },
      schema: {
        summary: 'List the project’s risk acceptances and false-positive decisions',
        tags: ['acceptances'],
        params: ProjectParams,
        querystring: Type.Object(
          {
            ...PageQuery,
            active: Type.Optional(
              Type.Boolean({ description: 'true: unrevoked and unexpired; false: the rest.' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(AcceptanceView), ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const project = await requireProject(context.db, request.params.projectId);
      const items = await listAcceptances(context.db, {
        projectId: project.id,
        active: request.query.active,
        now: context.now(),
        after: decodeCursor(request.query.cursor, isUuid),
        limit,
      });
      return { items, nextCursor: nextCursor(items, limit, (item) => item.id) };
    },
  );

  app.post(
    '/api/v1/projects/:projectId/acceptances',
    {
      config: { access: { permission: 'acceptances:write', project: true } },
      schema: {
        summary: 'Accept a risk or mark a false positive until an expiry',
        tags: ['acceptances'],
        params: ProjectParams,
        body: NewAcceptanceBody,
        response: { 201: AcceptanceView, ...PROBLEM_RESPONSES },
      },
    },
    async (request, reply) => {
      const { projectId } = request.params;
      const expiresAt = checkExpiry(request.body.expiresAt);
      const user = principalOf(request).user;
      const acceptance = await context.db.transaction(async (tx) => {
        await requireProject(tx, projectId);
        const created = await createAcceptance(tx, {
          ...request.body,
          projectId,
          expiresAt,
          author: { id: user.id, name: user.displayName },
        });
        await recordSecurityEvent(
          context,
          {
            ...eventActor(request),
            type: 'acceptance.created',
            outcome: 'success',
            subject: created.id,
            details: { projectId, kind: created.kind, vulnId: created.vulnId, expiresAt },
          },
          tx,
        );
        return created;
      });
      return reply.code(201).send(acceptance);
    },
  );

  app.delete(
    '/api/v1/projects/:projectId/acceptances/:acceptanceId',
    {
      config: { access: { permission: 'acceptances:write', project: true } },
      schema: {
        summary: 'Revoke an acceptance; the findings it covered count again',
        tags: ['acceptances'],
        params: AcceptanceParams,
        response: { 200: AcceptanceView, ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const { projectId, acceptanceId } = request.params;
      const userId = principalOf(request).user.id;
      return context.db.transaction(async (tx) => {
        const revoked = await revokeAcceptance(tx, projectId, acceptanceId, userId, context.now());
        await recordSecurityEvent(
          context,
          {
            ...eventActor(request),
            type: 'acceptance.revoked',
            outcome: 'success',
            subject: acceptanceId,
            details: { projectId },
          },
          tx,
        );
        return revoked;
      });
    },
  );
};

export default acceptanceRoutes;
