import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { safeEqual } from '../../auth/secrets.js';
import { ApiError } from '../../errors.js';
import type { RouteOptions } from '../shared.js';

/** A readiness check that takes longer than this counts as failed. */
const CHECK_TIMEOUT_MS = 2000;

const CheckState = Type.Union([Type.Literal('ok'), Type.Literal('failed')]);
const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('unavailable')]),
  checks: Type.Object({ database: CheckState, cache: CheckState }),
});

async function check(run: () => Promise<void>): Promise<'ok' | 'failed'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([run(), timeout]);
    return 'ok';
  } catch {
    return 'failed';
  } finally {
    clearTimeout(timer);
  }
}

/** Liveness, readiness and Prometheus metrics; none of them needs a session. */
const healthRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { context }) => {
  app.get(
    '/health',
    {
      config: { access: { public: true } },
      schema: {
        summary: 'Report that the process is alive',
        tags: ['operations'],
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      config: { access: { public: true } },
      schema: {
        summary: 'Report whether the database and the cache answer',
        tags: ['operations'],
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (request, reply) => {
      const [database, cache] = await Promise.all([
        check(() => context.db.ping()),
        check(() => context.store.ping()),
      ]);
      const ready = database === 'ok' && cache === 'ok';
      if (!ready) request.log.warn({ database, cache }, 'readiness check failed');
      return reply
        .code(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'unavailable', checks: { database, cache } });
    },
  );

  app.get(
    '/metrics',
    {
      config: { access: { public: true } },
      schema: {
        summary: 'Prometheus metrics in the text exposition format',
        description: 'Needs `Authorization: Bearer <INFRAPRIME_METRICS_TOKEN>` when that is set.',
        tags: ['operations'],
        produces: ['text/plain'],
      },
    },
    async (request, reply) => {
      const expected = context.config.metricsToken;
      if (expected !== undefined) {
        const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
        if (!match?.[1] || !safeEqual(match[1], expected)) {
          throw new ApiError('unauthenticated', 'Send the metrics token as a bearer token.');
        }
      }
      const registry = app.metrics.registry;
      return reply.type(registry.contentType).send(await registry.metrics());
    },
  );
};

export default healthRoutes;
