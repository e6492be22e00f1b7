import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { VERSION } from '../../version.js';

/** Collects every route's schema into an OpenAPI 3.1 document, served at /docs/openapi.json. */
async function openapiPlugin(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    // Shared schemas keep their $id as their name under components.schemas, such as `Problem`.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, index) =>
        typeof json.$id === 'string' ? json.$id : `def-${index}`,
    },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'InfraPrime console API',
        version: VERSION,
        description:
          'Stores audits and image scans per project and enforces the patch SLA. Errors are application/problem+json documents with a stable `code`.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: '__Host-infraprime-session' },
          token: { type: 'http', scheme: 'bearer' },
        },
      },
    },
  });
}

export default fp(openapiPlugin, { name: 'infraprime-openapi' });
