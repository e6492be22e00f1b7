import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { DateTime, decodeCursor, nextCursor, Page, PageQuery } from '../../schemas.js';
import { listSecurityEvents, SECURITY_EVENT_TYPES } from '../../services/events.js';
import { PROBLEM_RESPONSES, type RouteOptions } from '../shared.js';

const EventType = Type.Enum(SECURITY_EVENT_TYPES);
const NullableText = Type.Union([Type.String(), Type.Null()]);

const EventView = Type.Object({
  id: Type.String({ description: 'A decimal number; later events have larger ids.' }),
  occurredAt: DateTime,
  type: EventType,
  outcome: Type.Union([Type.Literal('success'), Type.Literal('failure')]),
  userId: NullableText,
  tokenId: NullableText,
  subject: NullableText,
  ip: NullableText,
  requestId: NullableText,
  details: Type.Record(Type.String(), Type.Unknown()),
});

function isEventId(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0;
}

const eventRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { context }) => {
  app.get(
    '/api/v1/security-events',
    {
      config: { access: { permission: 'events:read' } },
      schema: {
        summary: 'List security events, newest first',
        tags: ['security-events'],
        querystring: Type.Object(
          { ...PageQuery, type: Type.Optional(EventType) },
          { additionalProperties: false },
        ),
        response: { 200: Page(EventView), ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const before = decodeCursor(request.query.cursor, isEventId);
      const items = await listSecurityEvents(context.db, {
        type: request.query.type,
        before,
        limit,
      });
      return { items, nextCursor: nextCursor(items, limit, (event) => Number(event.id)) };
    },
  );
};

export default eventRoutes;
