import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status_code'>;
  duration: Histogram<'method' | 'route'>;
  reports: Counter<'kind' | 'outcome'>;
  securityEvents: Counter<'type' | 'outcome'>;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics;
  }
}

/** Creates a registry per server, so that several app instances in one process stay apart. */
export function createMetrics(labels: { environment: string }): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'infraprime-api', environment: labels.environment });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({
      name: 'infraprime_http_requests_total',
      help: 'HTTP requests by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status_code'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'infraprime_http_request_duration_seconds',
      help: 'HTTP request duration in seconds by method and route pattern.',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    reports: new Counter({
      name: 'infraprime_reports_ingested_total',
      help: 'Audit and scan reports received, by kind and outcome (stored, duplicate, rejected).',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
    securityEvents: new Counter({
      name: 'infraprime_security_events_total',
      help: 'Security events recorded, by type and outcome.',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    }),
  };
}

async function metricsPlugin(app: FastifyInstance, options: { metrics: Metrics }): Promise<void> {
  app.decorate('metrics', options.metrics);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = { method: request.method, route };
    options.metrics.requests.inc({ ...labels, status_code: String(reply.statusCode) });
    options.metrics.duration.observe(labels, reply.elapsedTime / 1000);
  });
}

export default fp(metricsPlugin, { name: 'infraprime-metrics' });
