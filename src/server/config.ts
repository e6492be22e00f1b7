import { join, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';

export interface Argon2Settings {
  /** Memory per hash in KiB. */
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export interface ServerConfig {
  host: string;
  port: number;
  /** Folder for the embedded database; null keeps it in memory (tests only). */
  dataDir: string | null;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  redisCaFile: string | undefined;
  redisKeyPrefix: string;
  /** The `environment` label on every log line and metric, such as `production`. */
  environment: string;
  logLevel: string;
  /** Origins allowed to call the API from a browser; exact matches only. */
  corsOrigins: string[];
  /** Proxy addresses whose X-Forwarded-For is trusted, as Fastify's trustProxy takes them. */
  trustProxy: string | boolean;
  /** Body size limit in bytes for every route but report uploads. */
  bodyLimit: number;
  /** Body size limit in bytes for audit and scan reports. */
  reportBodyLimit: number;
  /** Reports with more vulnerabilities or findings than this are rejected. */
  maxReportEntries: number;
  rateLimit: {
    /** Requests per window per client address. */
    perClient: number;
    /** Requests per window per account or token. */
    perAccount: number;
    /** Login attempts per window per client address. */
    login: number;
    windowMs: number;
  };
  session: {
    /** A session ends after this long without a request. */
    idleMs: number;
    /** A session ends this long after login, whatever its use. */
    absoluteMs: number;
  };
  login: {
    /** Failed logins in a row after which each attempt waits longer. */
    backoffAfter: number;
    backoffBaseMs: number;
    backoffMaxMs: number;
    /** Failed logins in a row after which the account is locked. */
    lockAfter: number;
    lockMs: number;
  };
  argon2: Argon2Settings;
  /** When set, `/metrics` requires `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
  /** Folder with the built web console. NOTE: the API server does not serve it yet. */
  webDir: string;
  /** Maximum lifetime of an API token, in days. */
  maxTokenDays: number;
  /** Maximum lifetime of an acceptance, in days. */
  maxAcceptanceDays: number;
  /** Milliseconds SIGTERM waits for in-flight requests before the server closes anyway. */
  shutdownTimeoutMs: number;
}

/** Defaults follow OWASP's password storage guidance for argon2id with room to spare. */
export const DEFAULT_ARGON2: Argon2Settings = { memoryCost: 65_536, timeCost: 3, parallelism: 1 };

const MINUTE = 60_000;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(`${name}=${text} is invalid; expected a whole number of at least ${min}`);
  }
  return value;
}

function list(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function trustProxy(text: string | undefined): string | boolean {
  if (!text || text === 'false') return false;
  return text === 'true' ? true : text;
}

export interface ConfigOverrides {
  host?: string | undefined;
  port?: number | undefined;
  dataDir?: string | undefined;
}

/**
 * Reads the server configuration from environment variables, with command-line values taking
 * precedence. Invalid numbers raise ConfigError naming the variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigOverrides = {}) {
  const port = overrides.port ?? integer(env, 'INFRAPRIME_PORT', 8080);
  if (port > 65_535) throw new ConfigError(`port ${port} is invalid; expected 0 to 65535`);
  const config: ServerConfig = {
    host: overrides.host ?? env.INFRAPRIME_HOST ?? '127.0.0.1',
    port,
    dataDir: resolve(overrides.dataDir ?? env.INFRAPRIME_DATA_DIR ?? '.infraprime-data'),
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    redisCaFile: env.INFRAPRIME_REDIS_CA_FILE || undefined,
    redisKeyPrefix: env.INFRAPRIME_REDIS_PREFIX ?? 'infraprime:',
    environment: env.INFRAPRIME_ENV ?? env.NODE_ENV ?? 'development',
    logLevel: env.INFRAPRIME_LOG_LEVEL ?? 'info',
    corsOrigins: list(env.INFRAPRIME_CORS_ORIGINS),
    trustProxy: trustProxy(env.INFRAPRIME_TRUST_PROXY),
    bodyLimit: integer(env, 'INFRAPRIME_BODY_LIMIT', 1024 * 1024, 1024),
    reportBodyLimit: integer(env, 'INFRAPRIME_REPORT_BODY_LIMIT', 64 * 1024 * 1024, 1024),
    maxReportEntries: integer(env, 'INFRAPRIME_MAX_REPORT_ENTRIES', 50_000, 1),
    rateLimit: {
      perClient: integer(env, 'INFRAPRIME_RATE_LIMIT_CLIENT', 600, 1),
      perAccount: integer(env, 'INFRAPRIME_RATE_LIMIT_ACCOUNT', 1200, 1),
      login: integer(env, 'INFRAPRIME_RATE_LIMIT_LOGIN', 10, 1),
      windowMs: integer(env, 'INFRAPRIME_RATE_LIMIT_WINDOW_MS', MINUTE, 1000),
    },
    session: {
      idleMs: integer(env, 'INFRAPRIME_SESSION_IDLE_MINUTES', 30, 1) * MINUTE,
      absoluteMs: integer(env, 'INFRAPRIME_SESSION_MAX_HOURS', 12, 1) * 60 * MINUTE,
    },
    login: {
      backoffAfter: 3,
      backoffBaseMs: 1000,
      backoffMaxMs: 60_000,
      lockAfter: integer(env, 'INFRAPRIME_LOGIN_LOCK_AFTER', 10, 1),
      lockMs: integer(env, 'INFRAPRIME_LOGIN_LOCK_MINUTES', 15, 1) * MINUTE,
    },
    argon2: {
      memoryCost: integer(env, 'INFRAPRIME_ARGON2_MEMORY_KIB', DEFAULT_ARGON2.memoryCost, 8),
      timeCost: integer(env, 'INFRAPRIME_ARGON2_TIME_COST', DEFAULT_ARGON2.timeCost, 1),
      parallelism: DEFAULT_ARGON2.parallelism,
    },
    metricsToken: env.INFRAPRIME_METRICS_TOKEN || undefined,
    webDir: resolve(env.INFRAPRIME_WEB_DIR ?? join(PACKAGE_ROOT, 'web', 'dist')),
    maxTokenDays: 366,
    maxAcceptanceDays: 366,
    shutdownTimeoutMs: integer(env, 'INFRAPRIME_SHUTDOWN_TIMEOUT_MS', 10_000, 0),
  };
  return config;
}
