import { execFileSync } from 'node:child_process';

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

/** Reads the tracked and ignored paths under `root` with two `git ls-files` calls. */
export function readGitView(root: string): GitView | undefined {
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
