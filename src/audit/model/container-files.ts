import { statSync } from 'node:fs';
import { join, posix } from 'node:path';
import picomatch from 'picomatch';
import type { ComposeService, ContainerFile } from './types.js';

/** The repository view the model builder works on: file list and folder lookups. */
export interface RepoIndex {
  files: readonly string[];
  isFolder(repoPath: string): boolean;
  glob(pattern: string): string[];
  /** Folders that contain walked files and match `pattern`. */
  globFolders(pattern: string): string[];
}

/**
 * Indexes the walked files. With `root`, a folder that contains no walked file, such as an
 * ignored or empty one, is still known as a folder from the file system.
 */
export function createRepoIndex(files: readonly string[], root?: string): RepoIndex {
  const folders = new Set<string>();
  for (const file of files) {
    let slash = file.lastIndexOf('/');
    while (slash > 0) {
      const folder = file.slice(0, slash);
      if (folders.has(folder)) break;
      folders.add(folder);
      slash = folder.lastIndexOf('/');
    }
  }
  return {
    files,
    isFolder: (repoPath) => {
      const folder = repoPath.replace(/\/$/, '');
      if (folders.has(folder)) return true;
      if (root === undefined || folder === '' || files.includes(folder)) return false;
      try {
        return statSync(join(root, folder)).isDirectory();
      } catch {
        return false;
      }
    },
    glob: (pattern) => {
      if (!picomatch.scan(pattern).isGlob) return files.includes(pattern) ? [pattern] : [];
      const matches = picomatch(pattern, { dot: true });
      return files.filter((file) => matches(file));
    },
    globFolders: (pattern) => {
      const matches = picomatch(pattern.replace(/\/+$/, ''), { dot: true });
      return [...folders].filter((folder) => matches(folder)).sort();
    },
  };
}

/** Lists the repository files a service sees in its container, from mounts and its Dockerfile. */
export function collectContainerFiles(service: ComposeService, repo: RepoIndex): ContainerFile[] {
  const result: ContainerFile[] = [];
  for (const mount of service.mounts) {
    if (mount.type !== 'bind' || mount.repoPath === undefined) continue;
    // The repository root itself (`.:/etc/redis`) is the folder whose path is ''.
    const root = mount.repoPath === '';
    const folder = root || repo.isFolder(mount.repoPath);
    // `//` and `/./` in a path name the same folder, so `/etc//nginx/./x` is `/etc/nginx/x`.
    const target = posix.normalize(mount.target);
    result.push({
      containerPath: folder ? withSlash(target) : target,
      repoPath: folder && !root ? withSlash(mount.repoPath) : mount.repoPath,
      mounted: true,
      location: mount.location,
    });
  }
  result.push(...copiedFiles(service, repo));
  return result;
}

function copiedFiles(service: ComposeService, repo: RepoIndex): ContainerFile[] {
  const dockerfile = service.dockerfile;
  const context = service.build?.context;
  if (!dockerfile || context === undefined) return [];
  const stage = dockerfile.stages[service.stageIndex ?? dockerfile.stages.length - 1];
  if (!stage) return [];

  const result: ContainerFile[] = [];
  let workdir = '/';
  for (const instruction of stage.instructions) {
    if (instruction.keyword === 'WORKDIR' && instruction.args[0]) {
      workdir = posix.resolve(workdir, instruction.args[0]);
      continue;
    }
    if (instruction.keyword !== 'COPY' && instruction.keyword !== 'ADD') continue;
    if (instruction.flags.from !== undefined || instruction.args.length < 2) continue;
    const sources = instruction.args.slice(0, -1);
    const written = instruction.args[instruction.args.length - 1]!;
    const target = posix.resolve(workdir, written);
    const copied = sources
      .filter((source) => !/^[a-z]+:\/\//i.test(source))
      .flatMap((source) => sourceMatches(source, context, repo));
    // `.` and `..` name folders, and several sources or glob matches need a folder target.
    const targetIsFolder =
      written.endsWith('/') || /(^|\/)\.\.?$/.test(written) || copied.length > 1;
    for (const { repoPath, folder } of copied) {
      if (folder) {
        result.push({
          containerPath: withSlash(target),
          repoPath: repoPath === '' ? '' : withSlash(repoPath),
          mounted: false,
          location: instruction.location,
        });
      } else {
        const containerPath = targetIsFolder
          ? posix.join(target, posix.basename(repoPath))
          : target;
        result.push({ containerPath, repoPath, mounted: false, location: instruction.location });
      }
    }
  }
  return result;
}

/** Maps a container path or glob to repository paths through a service's container files. */
export function containerToRepo(
  pattern: string,
  files: ContainerFile[],
  repo: RepoIndex,
): string[] {
  const exists = (repoPath: string) => repo.glob(repoPath).length > 0;
  if (!picomatch.scan(pattern).isGlob) {
    const found = resolveContainerPath(pattern, files, exists);
    return found === undefined ? [] : [found];
  }
  // A file a glob matches counts only where it is the file that the container path shows.
  const found = new Set<string>();
  for (const entry of files) {
    let repoPattern: string | undefined;
    if (entry.containerPath.endsWith('/')) {
      if (pattern.startsWith(entry.containerPath)) {
        repoPattern = entry.repoPath + pattern.slice(entry.containerPath.length);
      }
    } else if (picomatch.isMatch(entry.containerPath, pattern)) {
      repoPattern = entry.repoPath;
    }
    if (repoPattern === undefined) continue;
    for (const path of repo.glob(repoPattern)) {
      const containerPath = entry.containerPath.endsWith('/')
        ? entry.containerPath + path.slice(entry.repoPath.length)
        : entry.containerPath;
      if (resolveContainerPath(containerPath, files, exists) === path) found.add(path);
    }
  }
  return [...found].sort();
}

/**
 * Returns the repository file that a container shows at `containerPath`, or undefined. A mount
 * hides what the image has below its target, and Docker mounts a deeper target over a shallower
 * one. Without a mount, the last `COPY` that provides the file wins.
 */
export function resolveContainerPath(
  containerPath: string,
  files: readonly ContainerFile[],
  exists: (repoPath: string) => boolean,
): string | undefined {
  let mount: ContainerFile | undefined;
  let copied: string | undefined;
  for (const entry of files) {
    const repoPath = repoPathThrough(entry, containerPath);
    if (repoPath === undefined) continue;
    if (entry.mounted) {
      if (!mount || entry.containerPath.length >= mount.containerPath.length) mount = entry;
    } else if (exists(repoPath)) {
      copied = repoPath;
    }
  }
  if (!mount) return copied;
  const repoPath = repoPathThrough(mount, containerPath)!;
  return exists(repoPath) ? repoPath : undefined;
}

/** Maps `containerPath` to the repository through one entry, or undefined if it does not cover it. */
function repoPathThrough(entry: ContainerFile, containerPath: string): string | undefined {
  if (entry.containerPath.endsWith('/')) {
    return containerPath.startsWith(entry.containerPath)
      ? entry.repoPath + containerPath.slice(entry.containerPath.length)
      : undefined;
  }
  return entry.containerPath === containerPath ? entry.repoPath : undefined;
}

/**
 * Returns the repository files and folders a `COPY` source names in the build context. A glob
 * matches files and folders, and a folder's contents are copied. Glob characters in the
 * context's own name are taken literally.
 */
function sourceMatches(
  source: string,
  context: string,
  repo: RepoIndex,
): Array<{ repoPath: string; folder: boolean }> {
  const base =
    context === '' || context === '.' ? '' : `${context.replace(/[*?[\]{}()!+@]/g, '\\$&')}/`;
  const sourcePath = posix.normalize(posix.join(context || '.', source)).replace(/^\.\/?/, '');
  if (!picomatch.scan(source).isGlob) {
    const folder = repo.isFolder(sourcePath) || source === '.' || source.endsWith('/');
    return [{ repoPath: sourcePath, folder }];
  }
  const pattern = posix.normalize(base + source.replace(/^\.?\//, ''));
  return [
    ...repo.globFolders(pattern).map((repoPath) => ({ repoPath, folder: true })),
    ...repo.glob(pattern).map((repoPath) => ({ repoPath, folder: false })),
  ];
}

function withSlash(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}
