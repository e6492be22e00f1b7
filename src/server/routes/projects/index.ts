import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { SlaPolicySchema } from '../../../vulns/sla.js';
import {
  DateTime,
  decodeCursor,
  nextCursor,
  Page,
  PageQuery,
  ProjectParams,
  Uuid,
} from '../../schemas.js';
import { recordSecurityEvent } from '../../services/events.js';
import {
  createProject,
  listProjects,
  requireProject,
  updateProjectPolicy,
} from '../../services/projects.js';
import { eventActor, PROBLEM_RESPONSES, principalOf, type RouteOptions } from '../shared.js';

export const ProjectView = Type.Object({
  id: Uuid,
  slug: Type.String(),
  name: Type.String(),
  description: Type.String(),
  slaPolicy: SlaPolicySchema,
  createdAt: DateTime,
});

const SLUG_PATTERN = '^[a-z0-9][a-z0-9-]{0,62}$';

const NewProjectBody = Type.Object(
  {
    slug: Type.String({ pattern: SLUG_PATTERN, description: 'Lowercase letters, digits, dashes.' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    slaPolicy: Type.Optional(SlaPolicySchema),
  },
  { additionalProperties: false },
);

function isSlug(value: unknown): value is string {
  return typeof value === 'string' && new RegExp(SLUG_PATTERN).test(value);
}

const projectRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { context }) => {
  app.get(
    '/api/v1/projects',
    {
      config: { access: { permission: 'projects:read' } },
      schema: {
        summary: 'List projects by slug',
        tags: ['projects'],
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Page(ProjectView), ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const after = decodeCursor(request.query.cursor, isSlug);
      const items = await listProjects(context.db, { after, limit });
      return { items, nextCursor: nextCursor(items, limit, (project) => project.slug) };
    },
  );

  app.post(
    '/api/v1/projects',
    {
      config: { access: { permission: 'projects:create' } },
      schema: {
        summary: 'Create a project, with the default patch SLA unless one is given',
        tags: ['projects'],
        body: NewProjectBody,
        response: { 201: ProjectView, ...PROBLEM_RESPONSES },
      },
    },
    async (request, reply) => {
      const { slaPolicy, ...fields } = request.body;
      const project = await createProject(context.db, {
        ...fields,
        policy: slaPolicy,
        createdBy: principalOf(request).user.id,
      });
      request.log.info({ projectId: project.id, slug: project.slug }, 'project created');
      return reply.code(201).send(project);
    },
  );

  app.get(
    '/api/v1/projects/:projectId',
    {
      config: { access: { permission: 'projects:read', project: true } },
      schema: {
        summary: 'Read a project',
        tags: ['projects'],
        params: ProjectParams,
        response: { 200: ProjectView, ...PROBLEM_RESPONSES },
      },
    },
    async (request) => requireProject(context.db, request.params.projectId),
  );

  app.put(
    '/api/v1/projects/:projectId/sla-policy',
    {
      config: { access: { permission: 'projects:configure', project: true } },
      schema: {
        summary: 'Replace the patch SLA policy and recompute every deadline',
        tags: ['projects'],
        params: ProjectParams,
        body: SlaPolicySchema,
        response: { 200: ProjectView, ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const { projectId } = request.params;
      return context.db.transaction(async (tx) => {
        const before = await requireProject(tx, projectId);
        const project = await updateProjectPolicy(tx, projectId, request.body);
        await recordSecurityEvent(
          context,
          {
            ...eventActor(request),
            type: 'project.policy-changed',
            outcome: 'success',
            subject: projectId,
            details: { from: before.slaPolicy, to: project.slaPolicy },
          },
          tx,
        );
        return project;
      });
    },
  );
};

export default projectRoutes;
