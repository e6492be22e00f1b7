import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { ApiError } from '../errors.js';

export interface RateLimitOptions {
  max: number;
  windowMs: number;
  redis?: Redis | undefined;
  keyPrefix: string;
}

const EXEMPT = new Set(['/health', '/ready', '/metrics']);

/**
 * Limits requests per client address, in Redis when configured so that every replica counts
 * together. Health, readiness and metrics are exempt because probes call them on a timer.
 */
async function rateLimitPlugin(app: FastifyInstance, options: RateLimitOptions): Promise<void> {
  await app.register(rateLimit, {
    // A global hook instead of per-route hooks: route hooks run after the authentication hook,
    // so requests that fail authentication would never be counted.
    global: false,
    max: options.max,
    timeWindow: options.windowMs,
    hook: 'onRequest',
    keyGenerator: (request) => request.ip,
    allowList: (request) => EXEMPT.has(request.url.split('?')[0] ?? ''),
    ...(options.redis ? { redis: options.redis, nameSpace: `${options.keyPrefix}rl:client:` } : {}),
    skipOnError: false,
    errorResponseBuilder: (_request, context) =>
      new ApiError(
        'rate-limited',
        `Limit of ${context.max} requests per ${context.after} reached.`,
        {
          retryAfterSeconds: context.ttl / 1000,
        },
      ),
  });
  app.addHook('onRequest', app.rateLimit());
}

export default fp(rateLimitPlugin, { name: 'infraprime-rate-limit' });
