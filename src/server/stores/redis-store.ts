import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import type { KeyValueStore } from './store.js';

export class RedisStartupError extends Error {
  override name = 'RedisStartupError';
}

export interface RedisOptions {
  url: string;
  /** CA certificate file for `rediss://` servers with a private CA. */
  caFile?: string | undefined;
  keyPrefix: string;
  onError?: (error: Error) => void;
}

function describe(url: URL): string {
  return `${url.hostname}:${url.port || 6379}`;
}

/** Opens an ioredis client and checks that it can authenticate and run a command. */
export async function connectRedis(options: RedisOptions): Promise<Redis> {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new RedisStartupError(
      'REDIS_URL is not a valid URL; expected rediss://user:password@host:6379/0',
    );
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new RedisStartupError(
      `REDIS_URL must start with redis:// or rediss://, not ${url.protocol}//`,
    );
  }
  let ca: string | undefined;
  try {
    ca = options.caFile ? readFileSync(options.caFile, 'utf8') : undefined;
  } catch (error) {
    throw new RedisStartupError(
      `cannot read the Redis CA file ${options.caFile}: ${(error as Error).message}`,
    );
  }
  const redis = new Redis(options.url, {
    lazyConnect: true,
    connectTimeout: 5000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    ...(url.protocol === 'rediss:' ? { tls: { ca, servername: url.hostname } } : {}),
  });
  let lastError: Error | undefined;
  redis.on('error', (error: Error) => {
    lastError = error;
    options.onError?.(error);
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    const reason = (lastError ?? (error as Error)).message;
    throw new RedisStartupError(
      `cannot use Redis at ${describe(url)}: ${reason}. Check REDIS_URL (user and password for an ACL user, rediss:// for TLS) and INFRAPRIME_REDIS_CA_FILE.`,
      { cause: error },
    );
  }
  return redis;
}

export function createRedisStore(redis: Redis, keyPrefix: string): KeyValueStore {
  return {
    kind: 'redis',
    async get(key) {
      return redis.get(keyPrefix + key);
    },
    async set(key, value, ttlMs) {
      await redis.set(keyPrefix + key, value, 'PX', Math.max(1, Math.round(ttlMs)));
    },
    async delete(key) {
      await redis.del(keyPrefix + key);
    },
    async increment(key, windowMs) {
      const results = await redis
        .multi()
        .incr(keyPrefix + key)
        .pexpire(keyPrefix + key, windowMs, 'NX')
        .pttl(keyPrefix + key)
        .exec();
      const count = Number(results?.[0]?.[1] ?? 0);
      const ttl = Number(results?.[2]?.[1] ?? windowMs);
      return { count, resetMs: ttl > 0 ? ttl : windowMs };
    },
    async ping() {
      await redis.ping();
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
