import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ServerConfig } from './config.js';
import type { Database } from './db/database.js';
import { openDatabase } from './db/open.js';
import { createMemoryStore } from './stores/memory-store.js';
import { connectRedis, createRedisStore } from './stores/redis-store.js';
import type { KeyValueStore } from './stores/store.js';

/** The database and the key-value store the app runs on, opened together. */
export interface Backends {
  db: Database;
  store: KeyValueStore;
  redis: Redis | undefined;
  close(): Promise<void>;
}

/** Redis errors repeat on every reconnect attempt, so at most one is logged per interval. */
const REDIS_ERROR_LOG_INTERVAL_MS = 10_000;

function redisErrorLogger(log: Logger) {
  let lastLogged = 0;
  let suppressed = 0;
  return (error: Error) => {
    const now = Date.now();
    if (now - lastLogged < REDIS_ERROR_LOG_INTERVAL_MS) {
      suppressed++;
      return;
    }
    log.error({ err: error, suppressed }, 'redis connection failed');
    lastLogged = now;
    suppressed = 0;
  };
}

/**
 * Opens PostgreSQL when DATABASE_URL is set, else PGlite in the data folder, and Redis when
 * REDIS_URL is set, else an in-process store. Throws the drivers' startup errors, whose
 * messages say what to change.
 */
export async function openBackends(config: ServerConfig, log: Logger): Promise<Backends> {
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    command: 'infraprime serve',
    onPlainFallback: (database) =>
      log.warn({ database }, 'database connection is not encrypted; set sslmode=verify-full'),
    onIdleError: (error) => log.error({ err: error }, 'idle database connection failed'),
  });
  log.info({ driver: db.driver, database: db.description }, 'database opened');
  if (!config.redisUrl) {
    return { db, store: createMemoryStore(), redis: undefined, close: () => db.close() };
  }
  let redis: Redis;
  try {
    redis = await connectRedis({
      url: config.redisUrl,
      caFile: config.redisCaFile,
      keyPrefix: config.redisKeyPrefix,
      onError: redisErrorLogger(log),
    });
  } catch (error) {
    await db.close();
    throw error;
  }
  if (!config.redisUrl.startsWith('rediss:')) {
    log.warn('redis connection is not encrypted; use a rediss:// URL');
  }
  log.info('redis connected');
  const store = createRedisStore(redis, config.redisKeyPrefix);
  return {
    db,
    store,
    redis,
    async close() {
      await store.close();
      await db.close();
    },
  };
}
