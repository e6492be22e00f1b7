import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { SEVERITIES } from '../../../finding/finding.js';
import {
  decodeCursor,
  isTimeAndId,
  nextCursor,
  Page,
  PageQuery,
  ProjectParams,
  Uuid,
} from '../../schemas.js';
import {
  type AuditReport,
  ingestAudit,
  listAuditFindings,
  listAudits,
} from '../../services/audits.js';
import {
  eventActor,
  PROBLEM_RESPONSES,
  parseList,
  principalOf,
  type RouteOptions,
  reportDigest,
} from '../shared.js';
import { AuditFindingView, AuditReportBody, AuditView, IngestedAudit } from './schemas.js';

const AuditParams = Type.Object(
  { projectId: Uuid, auditId: Uuid },
  { additionalProperties: false },
);

function isPosition(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}

const auditRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { context }) => {
  app.post(
    '/api/v1/projects/:projectId/audits',
    {
      config: { access: { permission: 'audits:write', project: true } },
      bodyLimit: context.config.reportBodyLimit,
      schema: {
        summary: 'Store the JSON report of `infraprime audit --format json`',
        description:
          'One report is stored in one transaction. Sending the same report again returns the first result with `duplicate: true` and changes nothing.',
        tags: ['audits'],
        params: ProjectParams,
        body: AuditReportBody,
        response: { 200: IngestedAudit, 201: IngestedAudit, ...PROBLEM_RESPONSES },
      },
    },
    async (request, reply) => {
      const actor = eventActor(request);
      try {
        const result = await ingestAudit(context, {
          projectId: request.params.projectId,
          report: request.body as AuditReport,
          sha256: reportDigest(request.body),
          userId: principalOf(request).user.id,
          tokenId: actor.tokenId ?? null,
        });
        const outcome = result.duplicate ? 'duplicate' : 'stored';
        context.metrics?.reports.inc({ kind: 'audit', outcome });
        request.log.info(
          { projectId: request.params.projectId, auditId: result.audit.id, outcome },
          'audit report ingested',
        );
        return reply.code(result.duplicate ? 200 : 201).send(result);
      } catch (error) {
        context.metrics?.reports.inc({ kind: 'audit', outcome: 'rejected' });
        throw error;
      }
    },
  );

  app.get(
    '/api/v1/projects/:projectId/audits',
    {
      config: { access: { permission: 'findings:read', project: true } },
      schema: {
        summary: 'List the project’s audits, newest first',
        tags: ['audits'],
        params: ProjectParams,
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Page(AuditView), ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const cursor = decodeCursor(request.query.cursor, isTimeAndId);
      const before = cursor ? { receivedAt: new Date(cursor[0]), id: cursor[1] } : undefined;
      const items = await listAudits(context.db, {
        projectId: request.params.projectId,
        before,
        limit,
      });
      const key = (audit: (typeof items)[number]) => [audit.receivedAt.toISOString(), audit.id];
      return { items, nextCursor: nextCursor(items, limit, key) };
    },
  );

  app.get(
    '/api/v1/projects/:projectId/audits/:auditId/findings',
    {
      config: { access: { permission: 'findings:read', project: true } },
      schema: {
        summary: 'List the findings of one audit in report order',
        tags: ['audits'],
        params: AuditParams,
        querystring: Type.Object(
          {
            ...PageQuery,
            severity: Type.Optional(
              Type.String({ maxLength: 100, description: 'Comma-separated severities.' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(AuditFindingView), ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const items = await listAuditFindings(context.db, {
        projectId: request.params.projectId,
        auditId: request.params.auditId,
        severity: parseList(request.query.severity, SEVERITIES, 'severity'),
        after: decodeCursor(request.query.cursor, isPosition),
        limit,
      });
      return { items, nextCursor: nextCursor(items, limit, (finding) => finding.position) };
    },
  );
};

export default auditRoutes;
