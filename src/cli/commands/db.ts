import type { Command } from 'commander';
import pino from 'pino';
import { ConfigError, loadConfig, type ServerConfig } from '../../server/config.js';
import { DataFolderLockedError } from '../../server/db/data-lock.js';
import { type Database, DatabaseStartupError } from '../../server/db/database.js';
import { MigrationError, migrate, migrationStatus } from '../../server/db/migrate.js';
import { openDatabase } from '../../server/db/open.js';
import { DatabaseUrlError } from '../../server/db/postgres-url.js';
import { RedisStartupError } from '../../server/stores/redis-store.js';
import { UsageError } from '../errors.js';

const STARTUP_ERRORS = [
  ConfigError,
  DatabaseStartupError,
  DatabaseUrlError,
  MigrationError,
  RedisStartupError,
];

/** Turns a configuration or connection failure into a message for the operator. */
export function asUsageError(error: unknown): unknown {
  if (error instanceof DataFolderLockedError) return new UsageError(error.message, error.help);
  if (STARTUP_ERRORS.some((type) => error instanceof type)) {
    return new UsageError((error as Error).message);
  }
  return error;
}

/** Reads the server configuration as `serve` does; `--data` overrides INFRAPRIME_DATA_DIR. */
export function commandConfig(flags: { data?: string }): ServerConfig {
  try {
    return loadConfig(process.env, { dataDir: flags.data });
  } catch (error) {
    throw asUsageError(error);
  }
}

/** A logger for one-off commands: warnings and errors only, on standard error. */
export function commandLogger(config: ServerConfig) {
  return pino(
    { level: 'warn', base: { service: 'infraprime-cli', environment: config.environment } },
    pino.destination(2),
  );
}

/**
 * Opens the database `serve` would use, runs `work` on it and closes it. `command`, such as
 * `infraprime db migrate`, names this process to others that find the data folder locked.
 */
export async function withDatabase<T>(
  config: ServerConfig,
  command: string,
  work: (db: Database) => Promise<T>,
): Promise<T> {
  let db: Database;
  try {
    db = await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      command,
    });
  } catch (error) {
    throw asUsageError(error);
  }
  try {
    return await work(db);
  } catch (error) {
    throw asUsageError(error);
  } finally {
    await db.close();
  }
}

function where(config: ServerConfig): string {
  return config.databaseUrl ? 'the PostgreSQL database in DATABASE_URL' : `${config.dataDir}`;
}

/** The migration's file name without `.sql`, such as `001_initial`. */
function migrationName(migration: { version: number; name: string }): string {
  return `${String(migration.version).padStart(3, '0')}_${migration.name}`;
}

const DATA_OPTION = [
  '--data <dir>',
  'folder of the embedded database (default: INFRAPRIME_DATA_DIR or ./.infraprime-data); unused when DATABASE_URL is set',
] as const;

export function registerDb(program: Command): void {
  const db = program.command('db').description('manage the console database');
  db.command('migrate')
    .description('apply pending schema migrations (the server also applies them at start)')
    .option(...DATA_OPTION)
    .action(async (flags: { data?: string }) => {
      const config = commandConfig(flags);
      const applied = await withDatabase(config, 'infraprime db migrate', (database) =>
        migrate(database),
      );
      const names = applied.map(migrationName);
      process.stdout.write(
        applied.length === 0
          ? `${where(config)} is up to date\n`
          : `applied ${names.join(', ')} to ${where(config)}\n`,
      );
    });
  db.command('status')
    .description('list applied and pending schema migrations')
    .option(...DATA_OPTION)
    .action(async (flags: { data?: string }) => {
      const config = commandConfig(flags);
      const status = await withDatabase(config, 'infraprime db status', (database) =>
        migrationStatus(database),
      );
      for (const item of status.applied) {
        process.stdout.write(`applied  ${migrationName(item)}\n`);
      }
      for (const item of status.pending) {
        process.stdout.write(`pending  ${migrationName(item)}\n`);
      }
    });
}
