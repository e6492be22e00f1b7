import type { FastifyBaseLogger } from 'fastify';
import type { ServerConfig } from '../config.js';
import type { Database } from '../db/database.js';
import type { Metrics } from '../plugins/metrics.js';
import type { KeyValueStore } from '../stores/store.js';

/** What the services need: passed explicitly so that the CLI can use them without a server. */
export interface ServiceContext {
  config: ServerConfig;
  db: Database;
  store: KeyValueStore;
  log: FastifyBaseLogger;
  metrics?: Metrics;
  now: () => Date;
}
