import pg from 'pg';
import {
  type Database,
  DatabaseStartupError,
  type Queryable,
  type QueryResult,
} from './database.js';
import { type PostgresTarget, parsePostgresUrl } from './postgres-url.js';

export interface PostgresOptions {
  maxConnections?: number;
  /** Called once when `prefer` or `allow` falls back to a connection without TLS. */
  onPlainFallback?: (description: string) => void;
  /** Called when an idle pooled connection fails; the pool replaces it on the next query. */
  onIdleError?: (error: Error) => void;
}

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<Row>(text: string, params?: unknown[]): Promise<QueryResult<Row>> {
      const result = await client.query(text, params as unknown[]);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
    },
    async exec(script: string): Promise<void> {
      await client.query(script);
    },
  };
}

function createPool(target: PostgresTarget, ssl: PostgresTarget['ssl'], max: number): pg.Pool {
  return new pg.Pool({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    ssl,
    max,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    statement_timeout: 60_000,
    application_name: 'infraprime',
  });
}

const NO_TLS = 'The server does not support SSL connections';

/** Turns a failed first connection into a message that says what to change. */
export function explainConnectError(error: unknown, target: PostgresTarget): DatabaseStartupError {
  const message = (error as Error).message ?? String(error);
  const code = (error as { code?: string }).code;
  const where = `PostgreSQL at ${target.description}`;
  let text: string;
  if (message.includes(NO_TLS)) {
    text = `${where} does not accept TLS connections, but DATABASE_URL sets sslmode=${target.sslMode}, which requires TLS. Enable ssl on the server (ssl = on in postgresql.conf); InfraPrime will not send credentials or data unencrypted.`;
  } else if (
    /certificate|self[- ]signed|unable to verify|Hostname\/IP does not match/i.test(message)
  ) {
    text = `the TLS certificate of ${where} failed verification (${message}). Set sslrootcert=/path/to/ca.crt in DATABASE_URL to trust its CA, and make sure the host name matches the certificate for sslmode=verify-full.`;
  } else if (code === '28P01') {
    text = `${where} rejected the password for user "${target.user}". Check the credentials in DATABASE_URL.`;
  } else if (code === '28000') {
    text = `${where} rejected the connection: ${message}. Check pg_hba.conf and the sslmode in DATABASE_URL.`;
  } else if (code === '3D000') {
    text = `${where}: the database does not exist. Create it, or fix the database name in DATABASE_URL.`;
  } else if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT') {
    text = `cannot reach ${where} (${code}). Check that the server runs and that host and port in DATABASE_URL are right.`;
  } else {
    text = `cannot connect to ${where}: ${message}`;
  }
  return new DatabaseStartupError(text, { cause: error });
}

async function connectPool(target: PostgresTarget, options: PostgresOptions): Promise<pg.Pool> {
  const max = options.maxConnections ?? 10;
  const pool = createPool(target, target.ssl, max);
  try {
    await pool.query('SELECT 1');
    return pool;
  } catch (error) {
    await pool.end().catch(() => undefined);
    if (!(target.plainFallback && (error as Error).message?.includes(NO_TLS))) {
      throw explainConnectError(error, target);
    }
  }
  const plain = createPool(target, false, max);
  try {
    await plain.query('SELECT 1');
  } catch (error) {
    await plain.end().catch(() => undefined);
    throw explainConnectError(error, target);
  }
  options.onPlainFallback?.(target.description);
  return plain;
}

/** Connects to PostgreSQL 15 or newer and checks the version. */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Database> {
  const target = parsePostgresUrl(url);
  const pool = await connectPool(target, options);
  pool.on('error', (error) => options.onIdleError?.(error));
  const { rows } = await pool.query<{ version: number }>(
    "SELECT current_setting('server_version_num')::int AS version",
  );
  if ((rows[0]?.version ?? 0) < 150000) {
    await pool.end();
    throw new DatabaseStartupError(
      `PostgreSQL at ${target.description} is older than 15; InfraPrime needs PostgreSQL 15 or newer.`,
    );
  }

  const root = wrap(pool);
  return {
    driver: 'postgres',
    description: target.description,
    query: root.query,
    exec: root.exec,
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      await pool.end();
    },
  };
}
