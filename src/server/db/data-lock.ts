import { randomBytes } from 'node:crypto';
import {
  linkSync,
  readFileSync,
  readlinkSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { DatabaseStartupError } from './database.js';

/**
 * The lock file in a data folder. It contains the pid, command and host name of the process
 * that has the lock.
 */
export const LOCK_FILE = 'infraprime.lock';

interface LockOwner {
  pid: number;
  command: string;
  /** Host name of the holder. Containers that share a data volume have different ones. */
  host?: string;
  /**
   * The holder's PID namespace on Linux, such as `pid:[4026531836]`. Its pid names another
   * process, or none, outside that namespace.
   */
  pidNamespace?: string;
  /** When the holder last renewed the lock file, in milliseconds since the epoch. */
  renewedAt?: number;
}

/** How often a holder renews its lock file's modification time. */
const RENEW_EVERY_MS = 10_000;

/** Age after which the lock of a holder on another host or in another PID namespace is abandoned. */
export const ABANDONED_AFTER_MS = 60_000;

/** This process's PID namespace on Linux, or undefined where /proc does not show it. */
function ownPidNamespace(): string | undefined {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
}

const PID_NAMESPACE = ownPidNamespace();

/** A data folder locked by another live process, with help on how to free it. */
export class DataFolderLockedError extends DatabaseStartupError {
  readonly help: string;

  constructor(dataDir: string, owner: LockOwner) {
    const elsewhere = owner.host !== undefined && owner.host !== hostname();
    const otherNamespace = owner.pidNamespace !== undefined && owner.pidNamespace !== PID_NAMESPACE;
    let where = '';
    if (elsewhere) where = ` on ${owner.host}`;
    else if (otherNamespace) where = ' in another container';
    super(`the data folder ${dataDir} is in use by ${owner.command} (pid ${owner.pid}${where})`);
    this.name = 'DataFolderLockedError';
    const reason = 'because the embedded database allows one process per data folder';
    if (owner.pid === 0) {
      this.help = `wait until the other process has finished and run this command again, ${reason}`;
    } else if (elsewhere || otherNamespace) {
      this.help =
        `stop ${owner.command}${where} first, or wait a minute: a lock its holder no ` +
        `longer renews is taken over after ${ABANDONED_AFTER_MS / 1000} s, ${reason}`;
    } else {
      this.help =
        `stop ${owner.command} first (Ctrl-C in its terminal, or kill ${owner.pid}) and run ` +
        `this command again, ${reason}`;
    }
  }
}

/**
 * True when the holder may still run. A holder on another host or in another PID namespace,
 * such as another container that shares the data volume, cannot be checked by its pid, so it
 * counts as running while it renews the lock. A renewal time far in the future, from a skewed
 * clock, does not keep the lock.
 */
function isAlive(owner: LockOwner): boolean {
  const elsewhere =
    (owner.host !== undefined && owner.host !== hostname()) ||
    (owner.pidNamespace !== undefined && owner.pidNamespace !== PID_NAMESPACE);
  if (elsewhere) {
    return Math.abs(Date.now() - (owner.renewedAt ?? 0)) < ABANDONED_AFTER_MS;
  }
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    // EPERM means the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the lock names this process: its pid, host and PID namespace. */
function isOwn(owner: LockOwner | null): boolean {
  return (
    owner !== null &&
    owner.pid === process.pid &&
    (owner.host ?? hostname()) === hostname() &&
    (owner.pidNamespace ?? PID_NAMESPACE) === PID_NAMESPACE
  );
}

function readOwner(path: string): LockOwner | null {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    // A pid below 1 names no single process, so such a file counts as damaged.
    if (!Number.isInteger(owner.pid) || (owner.pid as number) < 1) return null;
    return {
      pid: owner.pid as number,
      command: String(owner.command ?? 'another process'),
      ...(typeof owner.host === 'string' ? { host: owner.host } : {}),
      ...(typeof owner.pidNamespace === 'string' ? { pidNamespace: owner.pidNamespace } : {}),
      renewedAt: statSync(path).mtimeMs,
    };
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
  // Processes in different PID namespaces can share a pid, so the name also has random bytes.
  const staging = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
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
  const owner = {
    pid: process.pid,
    command,
    host: hostname(),
    ...(PID_NAMESPACE !== undefined ? { pidNamespace: PID_NAMESPACE } : {}),
  };
  const content = `${JSON.stringify(owner)}\n`;
  // NOTE: a pid of a dead holder that the system has given to an unrelated process keeps the
  // lock until the file is deleted, and the error then names a command that no longer runs.
  if (tryCreate(path, content)) return holdLock(path);
  throwIfHeld(dataDir, path);

  // Replacing a stale lock takes two steps, so two processes could each remove it and then
  // remove the other's new lock. Only the holder of a second lock file replaces a stale one.
  const guard = `${path}.takeover`;
  if (!tryCreate(guard, content)) {
    throwIfHeld(dataDir, guard);
    // NOTE: a guard left by a process that died during a takeover is removed here, and two
    // processes starting at that moment can still both take the data folder.
    removeFile(guard);
    if (!tryCreate(guard, content)) throwIfHeld(dataDir, guard, true);
  }
  try {
    throwIfHeld(dataDir, path);
    removeFile(path);
    if (!tryCreate(path, content)) throwIfHeld(dataDir, path, true);
    return holdLock(path);
  } finally {
    removeFile(guard);
  }
}

/**
 * Throws DataFolderLockedError when the lock file at `path` names a live process other than this
 * one, or whenever `always` is set.
 */
function throwIfHeld(dataDir: string, path: string, always = false): void {
  const owner = readOwner(path);
  if (owner && isAlive(owner)) throw new DataFolderLockedError(dataDir, owner);
  if (always) {
    throw new DataFolderLockedError(dataDir, owner ?? { pid: 0, command: 'another process' });
  }
}

function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/**
 * Renews the lock file's modification time while this process runs, so holders on other hosts
 * can tell a running holder from an abandoned lock. Returns the function that releases the lock.
 */
function holdLock(path: string): () => void {
  const timer = setInterval(() => {
    // A lock file that is gone or now names another process is not renewed, so this process
    // never keeps someone else's lock alive.
    if (!isOwn(readOwner(path))) {
      clearInterval(timer);
      return;
    }
    const now = new Date();
    try {
      utimesSync(path, now, now);
    } catch {
      clearInterval(timer);
    }
  }, RENEW_EVERY_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    releaseLock(path);
  };
}

/** Removes the lock file if this process still holds it. */
function releaseLock(path: string): void {
  if (isOwn(readOwner(path))) removeFile(path);
}
