import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  DateTime,
  decodeCursor,
  isTimeAndId,
  NullableDateTime,
  nextCursor,
  Page,
  PageQuery,
  ProjectParams,
  Uuid,
} from '../../schemas.js';
import { ingestScan, listScans } from '../../services/scans.js';
import {
  eventActor,
  PROBLEM_RESPONSES,
  principalOf,
  type RouteOptions,
  reportDigest,
} from '../shared.js';

const ImageRepository = Type.String({ minLength: 1, maxLength: 500 });

const ScanView = Type.Object({
  id: Uuid,
  imageRepository: Type.String(),
  scanner: Type.String(),
  format: Type.String(),
  scannerVersion: Type.Union([Type.String(), Type.Null()]),
  artifactName: Type.Union([Type.String(), Type.Null()]),
  imageDigest: Type.Union([Type.String(), Type.Null()]),
  reportCreatedAt: NullableDateTime,
  receivedAt: DateTime,
  vulnerabilityCount: Type.Integer(),
  findingCount: Type.Integer(),
  newCount: Type.Integer(),
  reopenedCount: Type.Integer(),
  fixedCount: Type.Integer(),
  stale: Type.Boolean({ description: 'Older than a report already stored; changed nothing.' }),
});

const IngestedScan = Type.Object({
  scan: ScanView,
  duplicate: Type.Boolean({ description: 'The same report was stored before; nothing changed.' }),
  imageId: Uuid,
});

const ScanReportBody = Type.Unknown({
  description:
    'A Trivy JSON report (`trivy image --format json`, SchemaVersion 2 or the legacy array) or a Grype JSON report (`grype -o json`).',
});

const scanRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { context }) => {
  app.post(
    '/api/v1/projects/:projectId/scans',
    {
      config: { access: { permission: 'scans:write', project: true } },
      bodyLimit: context.config.reportBodyLimit,
      schema: {
        summary: 'Store a Trivy or Grype report of one image and apply the patch SLA',
        description:
          'One report is one transaction: new findings, findings seen again or reopened, and findings fixed by their absence. Sending the same report again changes nothing.',
        tags: ['scans'],
        params: ProjectParams,
        querystring: Type.Object(
          { image: Type.Optional(ImageRepository) },
          { additionalProperties: false },
        ),
        body: ScanReportBody,
        response: { 200: IngestedScan, 201: IngestedScan, ...PROBLEM_RESPONSES },
      },
    },
    async (request, reply) => {
      const { projectId } = request.params;
      try {
        const result = await ingestScan(context, {
          projectId,
          body: request.body,
          sha256: reportDigest(request.body),
          image: request.query.image,
          userId: principalOf(request).user.id,
          tokenId: eventActor(request).tokenId ?? null,
        });
        const outcome = result.duplicate ? 'duplicate' : 'stored';
        context.metrics?.reports.inc({ kind: 'scan', outcome });
        request.log.info(
          { projectId, scanId: result.scan.id, image: result.scan.imageRepository, outcome },
          'scan report ingested',
        );
        return reply.code(result.duplicate ? 200 : 201).send(result);
      } catch (error) {
        context.metrics?.reports.inc({ kind: 'scan', outcome: 'rejected' });
        throw error;
      }
    },
  );

  app.get(
    '/api/v1/projects/:projectId/scans',
    {
      config: { access: { permission: 'findings:read', project: true } },
      schema: {
        summary: 'List the project’s scans, newest first',
        tags: ['scans'],
        params: ProjectParams,
        querystring: Type.Object(
          { ...PageQuery, image: Type.Optional(ImageRepository) },
          { additionalProperties: false },
        ),
        response: { 200: Page(ScanView), ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const cursor = decodeCursor(request.query.cursor, isTimeAndId);
      const items = await listScans(context.db, {
        projectId: request.params.projectId,
        imageRepository: request.query.image,
        before: cursor ? { receivedAt: new Date(cursor[0]), id: cursor[1] } : undefined,
        limit,
      });
      const key = (scan: (typeof items)[number]) => [scan.receivedAt.toISOString(), scan.id];
      return { items, nextCursor: nextCursor(items, limit, key) };
    },
  );
};

export default scanRoutes;
