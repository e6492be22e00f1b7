import type { FastifyInstance } from 'fastify';
import acceptanceRoutes from './acceptances/index.js';
import auditRoutes from './audits/index.js';
import authRoutes from './auth/index.js';
import docsRoutes from './docs/index.js';
import eventRoutes from './events/index.js';
import findingRoutes from './findings/index.js';
import healthRoutes from './health/index.js';
import projectRoutes from './projects/index.js';
import scanRoutes from './scans/index.js';
import type { RouteOptions } from './shared.js';
import tokenRoutes from './tokens/index.js';
import userRoutes from './users/index.js';

/** Every route plugin, one per resource folder. */
const ROUTE_PLUGINS = [
  healthRoutes,
  docsRoutes,
  authRoutes,
  userRoutes,
  tokenRoutes,
  projectRoutes,
  auditRoutes,
  scanRoutes,
  findingRoutes,
  acceptanceRoutes,
  eventRoutes,
];

export async function registerRoutes(app: FastifyInstance, options: RouteOptions): Promise<void> {
  for (const plugin of ROUTE_PLUGINS) await app.register(plugin, options);
}
