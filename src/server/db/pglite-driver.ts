import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { DataFolderLockedError, lockDataFolder } from './data-lock.js';
import {
  type Database,
  DatabaseStartupError,
  type Queryable,
  type QueryResult,
} from './database.js';

function wrap(target: PGlite | Transaction): Queryable {
  return {
    async query<Row>(text: string, params?: unknown[]): Promise<QueryResult<Row>> {
      const result = await target.query<Row>(text, params);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
    async exec(script: string): Promise<void> {
      await target.exec(script);
    },
  };
}

/**
 * Opens PGlite (PostgreSQL compiled to WebAssembly) on a data folder, or in memory when
 * `dataDir` is null. PGlite serves one connection, so statements run one after another.
 * PGlite also allows one process per data folder, so the folder is locked for this process
 * until `close`; `command` names this process in the message another one gets.
 */
export async function openPglite(
  dataDir: string | null,
  command = 'another InfraPrime process',
): Promise<Database> {
  const path = dataDir === null ? null : resolve(dataDir, 'pglite');
  let unlock = () => {};
  let pglite: PGlite;
  try {
    if (dataDir !== null && path !== null) {
      mkdirSync(path, { recursive: true, mode: 0o700 });
      unlock = lockDataFolder(resolve(dataDir), command);
    }
    pglite = path ? await PGlite.create(path) : await PGlite.create();
  } catch (error) {
    unlock();
    if (error instanceof DataFolderLockedError) throw error;
    throw new DatabaseStartupError(
      `cannot open the embedded database in ${path ?? 'memory'}: ${(error as Error).message}. Check that the folder is writable and not used by another InfraPrime server.`,
      { cause: error },
    );
  }
  const root = wrap(pglite);
  return {
    driver: 'pglite',
    description: path ?? 'memory',
    query: root.query,
    exec: root.exec,
    transaction: (work) => pglite.transaction((tx) => work(wrap(tx))),
    async ping() {
      await pglite.query('SELECT 1');
    },
    async close() {
      if (!pglite.closed) await pglite.close();
      unlock();
    },
  };
}
