import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** What git says about the audited tree; undefined when the root is not in a git work tree. */
export interface GitView {
  tracked: Set<string>;
  /** Ignored files, and ignored folders with a trailing slash, relative to the audit root. */
  ignored: Set<string>;
}

function runGit(root: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return undefined;
  }
}

/**
 * True when `root` may be inside a git work tree: a folder on the way up has a `.git` entry, or
 * the environment names a git folder. Starting git costs about 40 ms on a small machine, which
 * is most of a small audit, so a tree that cannot be in a repository skips it. The walk starts
 * at the real path, as git does, so a symbolic link into a repository still finds it.
 */
function mayBeInGitTree(root: string): boolean {
  if (process.env.GIT_DIR || process.env.GIT_WORK_TREE) return true;
  let folder: string;
  try {
    folder = realpathSync(root);
  } catch {
    folder = resolve(root);
  }
  for (;;) {
    if (existsSync(join(folder, '.git'))) return true;
    const parent = dirname(folder);
    if (parent === folder) return false;
    folder = parent;
  }
}

/** Reads the tracked and ignored paths under `root` with two `git ls-files` calls. */
export function readGitView(root: string): GitView | undefined {
  if (!mayBeInGitTree(root)) return undefined;
  const tracked = runGit(root, ['ls-files', '-z', '--cached']);
  if (tracked === undefined) return undefined;
  const ignored =
    runGit(root, [
      'ls-files',
      '-z',
      '--others',
      '--ignored',
      '--exclude-standard',
      '--directory',
    ]) ?? '';
  return { tracked: splitNul(tracked), ignored: splitNul(ignored) };
}

function splitNul(output: string): Set<string> {
  return new Set(output.split('\0').filter((entry) => entry.length > 0));
}

/** True when `path` or one of its folders is in the ignored set. */
export function isIgnoredByGit(view: GitView, path: string): boolean {
  if (view.ignored.has(path)) return true;
  let slash = path.indexOf('/');
  while (slash !== -1) {
    if (view.ignored.has(path.slice(0, slash + 1))) return true;
    slash = path.indexOf('/', slash + 1);
  }
  return false;
}
