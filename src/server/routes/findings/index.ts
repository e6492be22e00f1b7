import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { SEVERITIES } from '../../../finding/finding.js';
import { normalizeVulnId } from '../../../vulns/aliases.js';
import { FINDING_STATES } from '../../../vulns/types.js';
import {
  DateTime,
  decodeCursor,
  FindingStateSchema,
  isUuid,
  NullableDateTime,
  nextCursor,
  Page,
  PageQuery,
  SeveritySchema,
  Uuid,
} from '../../schemas.js';
import { getFinding, listFindings } from '../../services/findings.js';
import { requireProject } from '../../services/projects.js';
import { PROBLEM_RESPONSES, parseList, type RouteOptions } from '../shared.js';

const FindingView = Type.Object({
  id: Uuid,
  vulnId: Type.String(),
  aliases: Type.Array(Type.String()),
  packageName: Type.String(),
  packageLocation: Type.String(),
  packageType: Type.String(),
  installedVersion: Type.String(),
  fixedVersion: Type.Union([Type.String(), Type.Null()]),
  hasFix: Type.Boolean(),
  severity: SeveritySchema,
  scannerSeverity: Type.String(),
  title: Type.String(),
  status: Type.Union([Type.Literal('open'), Type.Literal('fixed')]),
  state: FindingStateSchema,
  openIn: Type.Array(Type.String()),
  imageRepository: Type.String(),
  firstSeenAt: DateTime,
  lastSeenAt: DateTime,
  fixedAt: NullableDateTime,
  reopenedAt: NullableDateTime,
  reopenCount: Type.Integer(),
  dueAt: NullableDateTime,
  acceptedUntil: NullableDateTime,
});

const FindingQuery = Type.Object(
  {
    ...PageQuery,
    state: Type.Optional(
      Type.String({
        maxLength: 100,
        description: `Comma-separated states: ${FINDING_STATES.join(', ')}.`,
      }),
    ),
    severity: Type.Optional(
      Type.String({ maxLength: 100, description: 'Comma-separated severities.' }),
    ),
    image: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    vulnId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    package: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { additionalProperties: false },
);

const FindingParams = Type.Object(
  { projectId: Uuid, findingId: Uuid },
  { additionalProperties: false },
);

/** A findings cursor: the due time (or null) and id of the last finding of a page. */
function isDueAndId(value: unknown): value is [string | null, string] {
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    (value[0] === null || (typeof value[0] === 'string' && !Number.isNaN(Date.parse(value[0])))) &&
    isUuid(value[1])
  );
}

const findingRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { context }) => {
  app.get(
    '/api/v1/projects/:projectId/findings',
    {
      config: { access: { permission: 'findings:read', project: true } },
      schema: {
        summary: 'List vulnerability findings by due time, with filters',
        description: 'Use `state=overdue` for findings past their patch deadline.',
        tags: ['findings'],
        params: Type.Object({ projectId: Uuid }, { additionalProperties: false }),
        querystring: FindingQuery,
        response: { 200: Page(FindingView), ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const { query } = request;
      const limit = query.limit ?? 50;
      const cursor = decodeCursor(query.cursor, isDueAndId);
      const project = await requireProject(context.db, request.params.projectId);
      const items = await listFindings(
        context.db,
        {
          projectId: project.id,
          states: parseList(query.state, FINDING_STATES, 'state'),
          severities: parseList(query.severity, SEVERITIES, 'severity'),
          imageRepository: query.image,
          vulnId: query.vulnId === undefined ? undefined : normalizeVulnId(query.vulnId),
          packageName: query.package,
          after: cursor
            ? { dueAt: cursor[0] === null ? null : new Date(cursor[0]), id: cursor[1] }
            : undefined,
          limit,
        },
        project.slaPolicy,
        context.now(),
      );
      const key = (finding: (typeof items)[number]) => [
        finding.dueAt ? finding.dueAt.toISOString() : null,
        finding.id,
      ];
      return { items, nextCursor: nextCursor(items, limit, key) };
    },
  );

  app.get(
    '/api/v1/projects/:projectId/findings/:findingId',
    {
      config: { access: { permission: 'findings:read', project: true } },
      schema: {
        summary: 'Read one vulnerability finding',
        tags: ['findings'],
        params: FindingParams,
        response: { 200: FindingView, ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const { projectId, findingId } = request.params;
      const project = await requireProject(context.db, projectId);
      return getFinding(context.db, projectId, findingId, project.slaPolicy, context.now());
    },
  );
};

export default findingRoutes;
