import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseStartupError } from './database.js';

/** The lock file in a data folder. It contains the pid and command of the process that holds it. */
export const LOCK_FILE = 'infraprime.lock';

interface LockOwner {
  pid: number;
  command: string;
}

/** A data folder locked by another live process, with help on how to free it. */
export class DataFolderLockedError extends DatabaseStartupError {
  readonly help: string;

  constructor(dataDir: string, owner: LockOwner) {
    super(`the data folder ${dataDir} is in use by ${owner.command} (pid ${owner.pid})`);
    this.name = 'DataFolderLockedError';
    this.help =
      `stop ${owner.command} first (Ctrl-C in its terminal, or kill ${owner.pid}) and run ` +
      'this command again, because the embedded database allows one process per data folder';
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM means the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): LockOwner | null {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    if (!Number.isInteger(owner.pid)) return null;
    return { pid: owner.pid as number, command: String(owner.command ?? 'another process') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if (error instanceof SyntaxError) return null;
    throw error;
  }
}

/** Creates the lock file with its full contents in one step, or returns false when it exists. */
function tryCreate(path: string, content: string): boolean {
  // The contents go to a private file first and are then linked into place, because link(2)
  // fails when the target exists, so no process ever reads a half-written lock.
  const staging = `${path}.${process.pid}`;
  writeFileSync(staging, content, { flag: 'w', mode: 0o600 });
  try {
    linkSync(staging, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(staging);
  }
}

/**
 * Takes the exclusive lock on a data folder for this process, and returns the function that
 * releases it. A lock left by a process that is no longer running is taken over. Throws
 * DataFolderLockedError when a live process holds the lock.
 */
export function lockDataFolder(dataDir: string, command: string): () => void {
  const path = join(dataDir, LOCK_FILE);
  const content = `${JSON.stringify({ pid: process.pid, command })}\n`;
  // NOTE: two processes that find the same stale lock at the same moment can both take it
  // over, and a stale pid reused by an unrelated process keeps the lock until the file is
  // removed by hand.
  for (let attempt = 0; attempt < 2; attempt++) {
    if (tryCreate(path, content)) return () => releaseLock(path);
    const owner = readOwner(path);
    if (owner && isAlive(owner.pid)) throw new DataFolderLockedError(dataDir, owner);
    try {
      unlinkSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  const owner = readOwner(path) ?? { pid: 0, command: 'another process' };
  throw new DataFolderLockedError(dataDir, owner);
}

/** Removes the lock file if this process still holds it. */
function releaseLock(path: string): void {
  if (readOwner(path)?.pid !== process.pid) return;
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
