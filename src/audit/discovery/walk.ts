import { type Dirent, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { type GitView, isIgnoredByGit } from './git.js';

const ALWAYS_SKIPPED = new Set(['.git', 'node_modules', '.hg', '.svn']);

/** A problem with a path that stops InfraPrime from reading it. */
export interface InputIssue {
  path: string;
  message: string;
  help: string;
}

export interface WalkResult {
  /** Every regular file found, relative to the root, sorted. */
  files: string[];
  /** Without git: files, and folders with a trailing slash, that a `.gitignore` excluded. */
  ignored: Set<string>;
  issues: InputIssue[];
}

interface IgnoreLayer {
  /** Folder the `.gitignore` sits in, relative to the root ('' for the root). */
  base: string;
  rules: Ignore;
}

/**
 * Lists the files under `root`, skipping `.git`, `node_modules` and git-ignored folders. Symbolic
 * links to folders are followed once; a link back into a folder being walked is a loop.
 */
export function walkTree(root: string, git: GitView | undefined): WalkResult {
  const files: string[] = [];
  const issues: InputIssue[] = [];
  const ignored = new Set<string>();
  const visiting = new Set<string>();
  const rootReal = realPathOrSelf(root);

  // Only the root and folders reached through a symbolic link need realpathSync. An ordinary
  // subfolder's real path is its parent's real path plus its name.
  const visit = (
    relative: string,
    absolute: string,
    layers: IgnoreLayer[],
    knownReal?: string,
  ): void => {
    let real: string;
    try {
      real = knownReal ?? realpathSync(absolute);
    } catch (error) {
      issues.push(unreadable(relative || '.', error));
      return;
    }
    if (visiting.has(real)) {
      issues.push({
        path: relative,
        message: `symbolic link loop: '${relative}' leads back to a folder already being read`,
        help: 'remove the link; InfraPrime skipped it',
      });
      return;
    }
    visiting.add(real);

    let entries: Dirent[];
    try {
      entries = readdirSync(absolute, { withFileTypes: true });
    } catch (error) {
      issues.push(unreadable(relative || '.', error));
      visiting.delete(real);
      return;
    }
    const hasGitignore = entries.some((entry) => entry.name === '.gitignore');
    const here = git || !hasGitignore ? layers : withGitignore(layers, relative, absolute);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

    for (const entry of entries) {
      const childRelative = relative ? `${relative}/${entry.name}` : entry.name;
      const childAbsolute = join(absolute, entry.name);
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      const isLink = entry.isSymbolicLink();
      if (isLink) {
        try {
          const target = statSync(childAbsolute);
          isDirectory = target.isDirectory();
          isFile = target.isFile();
          const targetReal = realpathSync(childAbsolute);
          if (targetReal !== rootReal && !targetReal.startsWith(`${rootReal}${sep}`)) {
            issues.push(linkOutside(childRelative, targetReal));
            continue;
          }
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ELOOP') {
            issues.push({
              path: childRelative,
              message: `symbolic link loop at '${childRelative}'`,
              help: 'fix or remove the link; InfraPrime skipped it',
            });
          }
          continue;
        }
      }
      if (isDirectory) {
        if (ALWAYS_SKIPPED.has(entry.name)) continue;
        if (isIgnored(git, here, `${childRelative}/`)) {
          ignored.add(`${childRelative}/`);
          continue;
        }
        visit(childRelative, childAbsolute, here, isLink ? undefined : join(real, entry.name));
      } else if (isFile) {
        if (isIgnored(git, here, childRelative)) ignored.add(childRelative);
        else files.push(childRelative);
      }
    }
    visiting.delete(real);
  };

  visit('', root, []);
  files.sort();
  return { files, ignored, issues };
}

function isIgnored(git: GitView | undefined, layers: IgnoreLayer[], path: string): boolean {
  if (git) return isIgnoredByGit(git, path);
  for (const layer of layers) {
    const inside = layer.base ? path.slice(layer.base.length + 1) : path;
    if (inside && layer.rules.ignores(inside)) return true;
  }
  return false;
}

function withGitignore(layers: IgnoreLayer[], relative: string, absolute: string): IgnoreLayer[] {
  let text: string;
  try {
    text = readFileSync(join(absolute, '.gitignore'), 'utf8');
  } catch {
    return layers;
  }
  return [...layers, { base: relative, rules: ignore().add(text) }];
}

/**
 * Reports a link that leaves the audited folder. Following it could walk the whole file system
 * (a link to `/`) or read files the repository does not own, so it is skipped.
 */
function linkOutside(path: string, target: string): InputIssue {
  return {
    path,
    message: `symbolic link '${path}' points outside the audited folder, to '${target}'`,
    help: 'audit that folder on its own, or replace the link with the files; InfraPrime skipped it',
  };
}

function realPathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function unreadable(path: string, error: unknown): InputIssue {
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  return {
    path,
    message: `cannot read '${path}' (${code})`,
    help:
      code === 'EACCES'
        ? 'give the user running InfraPrime read permission, or list the path under `ignore` in .infraprime.yml'
        : 'check that the path exists and is readable',
  };
}
