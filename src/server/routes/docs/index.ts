import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteOptions } from '../shared.js';

/** Serves the OpenAPI document that @fastify/swagger builds from the route schemas. */
const docsRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app) => {
  app.get(
    '/docs/openapi.json',
    { config: { access: { public: true } }, schema: { hide: true } },
    async () => app.swagger(),
  );
};

export default docsRoutes;
