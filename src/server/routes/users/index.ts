import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { decodeCursor, isUuid, nextCursor, Page, PageQuery } from '../../schemas.js';
import { recordSecurityEvent, type SecurityEvent } from '../../services/events.js';
import {
  createUser,
  listUsers,
  publicUser,
  type UserWithSecrets,
  updateUser,
} from '../../services/users.js';
import { eventActor, PROBLEM_RESPONSES, type RouteOptions } from '../shared.js';
import { NewUserBody, UserChangesBody, UserParams, UserView } from './schemas.js';

const ACCESS = { access: { permission: 'users:manage' as const } };

/** Security events for each change an administrator made to a user. */
function changeEvents(before: UserWithSecrets, after: UserWithSecrets, unlock: boolean) {
  const events: Array<Pick<SecurityEvent, 'type' | 'details'>> = [];
  if (before.role !== after.role) {
    events.push({ type: 'user.role-changed', details: { from: before.role, to: after.role } });
  }
  if (before.disabled !== after.disabled) {
    events.push({ type: after.disabled ? 'user.disabled' : 'user.enabled', details: {} });
  }
  if (unlock) events.push({ type: 'user.unlocked', details: {} });
  return events;
}

const userRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { context }) => {
  app.get(
    '/api/v1/users',
    {
      config: ACCESS,
      schema: {
        summary: 'List user accounts',
        tags: ['users'],
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Page(UserView), ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const after = decodeCursor(request.query.cursor, isUuid);
      const items = await listUsers(context.db, { after, limit });
      return { items, nextCursor: nextCursor(items, limit, (user) => user.id) };
    },
  );

  app.post(
    '/api/v1/users',
    {
      config: ACCESS,
      schema: {
        summary: 'Create a user account',
        tags: ['users'],
        body: NewUserBody,
        response: { 201: UserView, ...PROBLEM_RESPONSES },
      },
    },
    async (request, reply) => {
      const user = await createUser(context, request.body);
      await recordSecurityEvent(context, {
        ...eventActor(request),
        type: 'user.created',
        outcome: 'success',
        subject: user.id,
        details: { role: user.role },
      });
      return reply.code(201).send(user);
    },
  );

  app.patch(
    '/api/v1/users/:userId',
    {
      config: ACCESS,
      schema: {
        summary: 'Change a user’s role, disable or enable the account, or unlock it',
        tags: ['users'],
        params: UserParams,
        body: UserChangesBody,
        response: { 200: UserView, ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const { userId } = request.params;
      return context.db.transaction(async (tx) => {
        const { before, after } = await updateUser(tx, userId, request.body);
        for (const event of changeEvents(before, after, request.body.unlock === true)) {
          await recordSecurityEvent(
            context,
            { ...eventActor(request), ...event, outcome: 'success', subject: userId },
            tx,
          );
        }
        return publicUser(after);
      });
    },
  );
};

export default userRoutes;
