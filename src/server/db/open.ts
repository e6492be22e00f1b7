import type { Database } from './database.js';
import { openPglite } from './pglite-driver.js';
import { openPostgres, type PostgresOptions } from './postgres-driver.js';

export interface OpenDatabaseOptions extends PostgresOptions {
  databaseUrl?: string | undefined;
  /** Data folder for the embedded database; null keeps it in memory (tests). */
  dataDir: string | null;
  /** The command that opens the embedded database, such as `infraprime serve`. */
  command?: string;
}

/** Opens PostgreSQL when a URL is given, else the embedded PGlite database. */
export function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options);
  return openPglite(options.dataDir, options.command);
}
