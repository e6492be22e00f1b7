import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Allows cross-origin browser calls only from the configured origins, compared exactly.
 * Other origins get no CORS headers, so browsers block their reads.
 */
async function corsPlugin(app: FastifyInstance, options: { origins: string[] }): Promise<void> {
  const allowed = new Set(options.origins);
  await app.register(cors, {
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    credentials: true,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['content-type', 'authorization', 'x-csrf-token', 'x-request-id'],
    exposedHeaders: ['x-request-id', 'retry-after'],
    maxAge: 600,
  });
}

export default fp(corsPlugin, { name: 'infraprime-cors' });
