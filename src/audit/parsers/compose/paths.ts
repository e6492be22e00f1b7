import { posix } from 'node:path';
import type { YamlFile } from '../../model/types.js';
import type { Origin } from './tracked.js';

/** What relative paths in a compose project are resolved against. */
export interface PathBase {
  /** Absolute audit root, with forward slashes. */
  root: string;
  /** Directory of the first compose file, relative to the root ('' for the root). */
  projectDir: string;
  /** The `-f` files, whose relative paths all resolve against `projectDir`. */
  projectFiles: ReadonlySet<YamlFile>;
}

/** Returns the folder a relative path written at `origin` is relative to. */
export function baseDirOf(origin: Origin | undefined, base: PathBase): string {
  if (!origin || base.projectFiles.has(origin.yaml)) return base.projectDir;
  const dir = posix.dirname(origin.yaml.file.path);
  return dir === '.' ? '' : dir;
}

const WINDOWS_ABSOLUTE = /^([A-Za-z]:[\\/]|\\\\)/;

export function isHostPath(source: string): boolean {
  return (
    source.startsWith('.') ||
    source.startsWith('/') ||
    source.startsWith('~') ||
    WINDOWS_ABSOLUTE.test(source)
  );
}

/** True for a build context given as a Git or HTTP URL instead of a folder. */
export function isRemoteContext(context: string): boolean {
  // Any `scheme://` context, such as `docker-image://` or `oci-layout://`, is not a folder.
  return /^([a-z][a-z0-9+.-]*:\/\/|git@|github\.com\/)/i.test(context);
}

/**
 * Maps a host path to a repository path relative to the audit root; undefined when it lies
 * outside the root, starts with `~`, or is a Windows path.
 */
export function toRepoPath(path: string, baseDir: string, root: string): string | undefined {
  if (path.startsWith('~') || WINDOWS_ABSOLUTE.test(path) || path.includes('\0')) return undefined;
  let relative: string;
  if (path.startsWith('/')) {
    const normalizedRoot = root.replace(/\\/g, '/').replace(/\/+$/, '');
    const normalized = posix.normalize(path);
    if (normalized === normalizedRoot) return '';
    if (!normalized.startsWith(`${normalizedRoot}/`)) return undefined;
    relative = normalized.slice(normalizedRoot.length + 1);
  } else {
    relative = posix.normalize(posix.join(baseDir || '.', path));
  }
  relative = relative.replace(/\/+$/, '');
  if (relative === '..' || relative.startsWith('../')) return undefined;
  return relative === '.' ? '' : relative;
}
