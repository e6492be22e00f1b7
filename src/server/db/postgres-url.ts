import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';

export const SSL_MODES = [
  'disable',
  'allow',
  'prefer',
  'require',
  'verify-ca',
  'verify-full',
] as const;
export type SslMode = (typeof SSL_MODES)[number];

export interface PostgresTarget {
  host: string;
  port: number;
  user: string;
  password: string | undefined;
  database: string;
  sslMode: SslMode;
  /** TLS options for the first attempt; false for a plain connection. */
  ssl: ConnectionOptions | false;
  /** Whether a server without TLS may be used over a plain connection (`allow`, `prefer`). */
  plainFallback: boolean;
  /** `host:port/database`, for messages and logs. */
  description: string;
}

export class DatabaseUrlError extends Error {
  override name = 'DatabaseUrlError';
}

function readFileParam(url: URL, name: string): string | undefined {
  const path = url.searchParams.get(name);
  if (!path) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new DatabaseUrlError(
      `DATABASE_URL sets ${name}=${path}, but the file cannot be read: ${(error as Error).message}`,
    );
  }
}

/**
 * Builds TLS options the way libpq reads `sslmode`: `require` encrypts without checking the
 * certificate unless `sslrootcert` is given (then it checks the chain, as `verify-ca` does),
 * `verify-ca` checks the chain, and `verify-full` also checks the host name.
 */
function tlsOptions(url: URL, mode: SslMode, host: string): ConnectionOptions | false {
  if (mode === 'disable') return false;
  const ca = readFileParam(url, 'sslrootcert');
  const cert = readFileParam(url, 'sslcert');
  const key = readFileParam(url, 'sslkey');
  const options: ConnectionOptions = { servername: host, ca, cert, key };
  const verifyChain =
    mode === 'verify-ca' || mode === 'verify-full' || (mode === 'require' && !!ca);
  options.rejectUnauthorized = verifyChain;
  if (mode !== 'verify-full') options.checkServerIdentity = () => undefined;
  return options;
}

/** Parses a `postgres://` or `postgresql://` URL; a missing sslmode means `prefer`, as in libpq. */
export function parsePostgresUrl(text: string): PostgresTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new DatabaseUrlError(
      'DATABASE_URL is not a valid URL; expected postgres://user:password@host:5432/database?sslmode=verify-full',
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new DatabaseUrlError(
      `DATABASE_URL must start with postgres:// or postgresql://, not ${url.protocol}//`,
    );
  }
  const mode = (url.searchParams.get('sslmode') ?? 'prefer') as SslMode;
  if (!SSL_MODES.includes(mode)) {
    throw new DatabaseUrlError(
      `DATABASE_URL has sslmode=${mode}; use one of ${SSL_MODES.join(', ')}`,
    );
  }
  const host = decodeURIComponent(url.hostname.replace(/^\[|\]$/g, '')) || 'localhost';
  const port = url.port ? Number(url.port) : 5432;
  const database = decodeURIComponent(url.pathname.slice(1)) || decodeURIComponent(url.username);
  return {
    host,
    port,
    user: decodeURIComponent(url.username),
    password: url.password ? decodeURIComponent(url.password) : undefined,
    database,
    sslMode: mode,
    ssl: tlsOptions(url, mode, host),
    plainFallback: mode === 'allow' || mode === 'prefer',
    description: `${host}:${port}/${database}`,
  };
}
