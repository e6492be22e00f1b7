import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { join, sep } from 'node:path';
import { SourceFile } from '../source.js';
import type { InputIssue } from './walk.js';

/** Files above this size are not read: configuration files are small, and this bounds memory. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

export type ReadOutcome =
  | { file: SourceFile; issue?: InputIssue }
  | { file?: undefined; issue: InputIssue }
  | { file?: undefined; issue?: undefined };

/** Real paths of audited folders, resolved once each. */
const realRoots = new Map<string, string>();

/**
 * Reads a repository file as text. Missing files return nothing; unreadable, oversized and
 * binary files return an issue; invalid UTF-8 is decoded with replacement characters and also
 * returns an issue. A path that a symbolic link leads out of `root` returns nothing, because the
 * file belongs to someone else and its text would reach the report. The walk has already
 * reported the link. Set `walked` for paths the walk listed, which never leave `root`.
 */
export function readSource(root: string, repoPath: string, walked = false): ReadOutcome {
  const absolute = join(root, repoPath);
  if (!walked && !resolvesInside(root, absolute)) return {};
  let bytes: Buffer;
  let fd: number | undefined;
  try {
    // One open and fstat instead of a stat by path and then a read by path. O_NONBLOCK keeps a
    // named pipe from blocking the open; it changes nothing for regular files.
    fd = openSync(absolute, constants.O_RDONLY | constants.O_NONBLOCK);
    const stats = fstatSync(fd);
    if (!stats.isFile()) return {};
    if (stats.size > MAX_FILE_BYTES) {
      return {
        issue: {
          path: repoPath,
          message: `'${repoPath}' is ${(stats.size / 1024 / 1024).toFixed(1)} MB, over the 10 MB limit for configuration files`,
          help: 'if it is not configuration, add it to `ignore` in .infraprime.yml; InfraPrime skipped it',
        },
      };
    }
    bytes = readAll(fd, stats.size);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return {};
    return {
      issue: {
        path: repoPath,
        message: `cannot read '${repoPath}' (${code ?? 'error'})`,
        help:
          code === 'EACCES'
            ? 'give the user running InfraPrime read permission, or add the path to `ignore` in .infraprime.yml'
            : 'check that the file exists and is readable',
      },
    };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return decode(repoPath, bytes);
}

/** True when `absolute` is inside `root` after symbolic links are resolved, or does not exist. */
export function resolvesInside(root: string, absolute: string): boolean {
  let realRoot = realRoots.get(root);
  if (realRoot === undefined) {
    realRoot = realpathSync.native(root);
    realRoots.set(root, realRoot);
  }
  let real: string;
  try {
    real = realpathSync.native(absolute);
  } catch {
    // A missing or unreadable path gets its usual outcome from the read itself.
    return true;
  }
  return real === realRoot || real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep);
}

/** Reads the whole file. A file that grew since fstat is cut at the size fstat gave. */
function readAll(fd: number, size: number): Buffer {
  const buffer = Buffer.allocUnsafe(size);
  let filled = 0;
  while (filled < size) {
    const count = readSync(fd, buffer, filled, size - filled, null);
    if (count === 0) break;
    filled += count;
  }
  return filled === size ? buffer : buffer.subarray(0, filled);
}

function decode(repoPath: string, bytes: Buffer): ReadOutcome {
  const probe = bytes.subarray(0, 8192);
  if (probe.includes(0)) {
    return {
      issue: {
        path: repoPath,
        message: `'${repoPath}' is a binary file, not text configuration`,
        help: 'rename it or add it to `ignore` in .infraprime.yml; InfraPrime skipped it',
      },
    };
  }
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const body = bytes.subarray(start);
  try {
    return { file: new SourceFile(repoPath, strictUtf8.decode(body)) };
  } catch {
    const text = lenientUtf8.decode(body);
    const line = text.slice(0, text.indexOf('\uFFFD')).split('\n').length;
    return {
      file: new SourceFile(repoPath, text),
      issue: {
        path: repoPath,
        message: `'${repoPath}' line ${line} is not valid UTF-8`,
        help: 'save the file as UTF-8; InfraPrime read it with the invalid bytes replaced',
      },
    };
  }
}
