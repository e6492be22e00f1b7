import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT } from '../../package-root.js';
import type { Database } from './database.js';

const FILE_PATTERN = /^(\d{3})_([a-z0-9_]+)\.sql$/;
/** Arbitrary constant that serialises concurrent migrations across servers. */
const MIGRATION_LOCK_KEY = 7_304_512_001;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

/**
 * Finds the migrations folder. The SQL files live beside this module in src/, and the build
 * copies them to dist/server/db/migrations; bundled modules find them there from the package
 * root.
 */
export function migrationsDir(): string {
  const beside = fileURLToPath(new URL('./migrations/', import.meta.url));
  const candidates = [
    beside,
    join(PACKAGE_ROOT, 'dist', 'server', 'db', 'migrations'),
    join(PACKAGE_ROOT, 'src', 'server', 'db', 'migrations'),
  ];
  return candidates.find((folder) => existsSync(folder)) ?? candidates[1]!;
}

export function loadMigrations(dir = migrationsDir()): Migration[] {
  return readdirSync(dir)
    .map((file) => ({ file, match: FILE_PATTERN.exec(file) }))
    .filter((entry) => entry.match)
    .map(({ file, match }) => {
      const sql = readFileSync(`${dir}/${file}`, 'utf8');
      return {
        version: Number(match?.[1]),
        name: match?.[2] as string,
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    })
    .sort((a, b) => a.version - b.version);
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export interface MigrationStatus {
  applied: Array<{ version: number; name: string; appliedAt: Date }>;
  pending: Migration[];
}

/**
 * Applies every pending migration in one transaction, under an advisory lock so that two
 * servers starting at once do not race. An applied migration whose file changed is an error.
 */
export async function migrate(db: Database, migrations = loadMigrations()): Promise<Migration[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await tx.query<{ version: number; checksum: string; name: string }>(
      'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
    );
    const applied = new Map(rows.map((row) => [row.version, row]));
    for (const migration of migrations) {
      const done = applied.get(migration.version);
      if (done && done.checksum !== migration.checksum) {
        throw new MigrationError(
          `migration ${migration.version}_${migration.name}.sql changed after it was applied; restore the original file and add a new numbered migration instead`,
        );
      }
    }
    const known = new Set(migrations.map((migration) => migration.version));
    const unknown = rows.filter((row) => !known.has(row.version));
    if (unknown.length > 0) {
      throw new MigrationError(
        `the database has migration ${unknown[0]?.version}_${unknown[0]?.name}, which this InfraPrime version does not know; upgrade InfraPrime`,
      );
    }
    const pending = migrations.filter((migration) => !applied.has(migration.version));
    for (const migration of pending) {
      await tx.exec(migration.sql);
      await tx.query(
        'INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)',
        [migration.version, migration.name, migration.checksum],
      );
    }
    return pending;
  });
}

export async function migrationStatus(
  db: Database,
  migrations = loadMigrations(),
): Promise<MigrationStatus> {
  await db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  const { rows } = await db.query<{ version: number; name: string; applied_at: Date }>(
    'SELECT version, name, applied_at FROM schema_migrations ORDER BY version',
  );
  const done = new Set(rows.map((row) => row.version));
  return {
    applied: rows.map((row) => ({
      version: row.version,
      name: row.name,
      appliedAt: row.applied_at,
    })),
    pending: migrations.filter((migration) => !done.has(migration.version)),
  };
}
