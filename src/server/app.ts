import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import cookie from '@fastify/cookie';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type RouteOptions as FastifyRoute } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ServerConfig } from './config.js';
import type { Database } from './db/database.js';
import { ApiError, ProblemSchema } from './errors.js';
import authPlugin from './plugins/auth.js';
import corsPlugin from './plugins/cors.js';
import errorsPlugin from './plugins/errors.js';
import metricsPlugin, { createMetrics, type Metrics } from './plugins/metrics.js';
import openapiPlugin from './plugins/openapi.js';
import rateLimitPlugin from './plugins/rate-limit.js';
import securityHeadersPlugin from './plugins/security-headers.js';
import { registerRoutes } from './routes/index.js';
import type { ServiceContext } from './services/context.js';
import type { KeyValueStore } from './stores/store.js';

/** External resources of the app. The caller opens them and closes them after the app. */
export interface AppDependencies {
  config: ServerConfig;
  db: Database;
  store: KeyValueStore;
  /** Shares rate-limit counters between replicas; absent with the in-process store. */
  redis?: Redis | undefined;
  logger: Logger;
  metrics?: Metrics | undefined;
  /** The clock for sessions, deadlines and events; tests pass a fixed one. */
  now?: (() => Date) | undefined;
}

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** Keeps a well-formed X-Request-Id from the proxy, so that its logs and ours match. */
function requestIdOf(request: IncomingMessage): string {
  const header = request.headers['x-request-id'];
  return typeof header === 'string' && REQUEST_ID_PATTERN.test(header) ? header : randomUUID();
}

/** Fails at startup when a route does not declare who may call it. */
function requireAccessRule(route: FastifyRoute): void {
  if (route.config?.access) return;
  const methods = Array.isArray(route.method) ? route.method.join(',') : route.method;
  throw new Error(
    `this is a bug in InfraPrime: route ${methods} ${route.url} has no config.access rule`,
  );
}

/**
 * Registers the console API on a Fastify instance: hooks, error handling, authentication and
 * every route. It never listens, because `server.ts` does that and tests call `inject`.
 */
async function appPlugin(app: FastifyInstance, deps: AppDependencies): Promise<void> {
  const { config } = deps;
  const metrics = deps.metrics ?? createMetrics({ environment: config.environment });
  const context: ServiceContext = {
    config,
    db: deps.db,
    store: deps.store,
    log: app.log.child({ component: 'services' }),
    metrics,
    now: deps.now ?? (() => new Date()),
  };

  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  // Only JSON bodies are accepted; anything else is a 415.
  app.removeContentTypeParser('text/plain');
  app.addSchema(ProblemSchema);

  await app.register(errorsPlugin);
  await app.register(securityHeadersPlugin);
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', request.id);
    return payload;
  });
  await app.register(metricsPlugin, { metrics });
  await app.register(corsPlugin, { origins: config.corsOrigins });
  await app.register(rateLimitPlugin, {
    max: config.rateLimit.perClient,
    windowMs: config.rateLimit.windowMs,
    redis: deps.redis,
    keyPrefix: config.redisKeyPrefix,
  });
  await app.register(cookie);
  await app.register(openapiPlugin);
  app.addHook('onRoute', requireAccessRule);
  await app.register(authPlugin, { context });
  await registerRoutes(app, { context });
}

export const app = fp(appPlugin, { name: 'infraprime-app', fastify: '5.x' });

/**
 * Replaces Fastify's JSON body parser with one that tells a body with a `__proto__` key, or a
 * `constructor` key with `prototype`, apart from malformed JSON. Fastify's parser rejects both
 * with the same "not valid JSON" error.
 */
function replaceJsonParser(instance: FastifyInstance): void {
  const secureParse = instance.getDefaultJsonParser('error', 'error');
  instance.removeContentTypeParser('application/json');
  instance.addContentTypeParser(
    'application/json',
    { parseAs: 'string' },
    (request, body, done) => {
      const text = body.toString();
      secureParse(request, text, (error, value) => {
        if (!error) return done(null, value);
        try {
          JSON.parse(text);
        } catch {
          return done(error, undefined);
        }
        // The body is valid JSON, so the secure parser rejected it for a forbidden key.
        done(
          new ApiError(
            'validation-failed',
            'The request body contains a "__proto__" key, or a "constructor" key with "prototype", which the API rejects because such keys can change object prototypes.',
          ),
          undefined,
        );
      });
    },
  );
}

/** Creates a Fastify instance with the server's limits and registers the app plugin on it. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const { config } = deps;
  const instance = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    genReqId: requestIdOf,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    requestTimeout: 120_000,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  });
  replaceJsonParser(instance as unknown as FastifyInstance);
  await instance.register(app, deps);
  // Fastify types the instance with pino's Logger; callers use the default base logger type.
  return instance as unknown as FastifyInstance;
}
