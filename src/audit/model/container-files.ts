import { posix } from 'node:path';
import picomatch from 'picomatch';
import type { ComposeService, ContainerFile } from './types.js';

/** The repository view the model builder works on: file list and folder lookups. */
export interface RepoIndex {
  files: readonly string[];
  isFolder(repoPath: string): boolean;
  glob(pattern: string): string[];
}

export function createRepoIndex(files: readonly string[]): RepoIndex {
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
    isFolder: (repoPath) => folders.has(repoPath.replace(/\/$/, '')),
    glob: (pattern) => {
      if (!picomatch.scan(pattern).isGlob) return files.includes(pattern) ? [pattern] : [];
      const matches = picomatch(pattern, { dot: true });
      return files.filter((file) => matches(file));
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
    result.push({
      containerPath: folder ? withSlash(mount.target) : mount.target,
      repoPath: folder && !root ? withSlash(mount.repoPath) : mount.repoPath,
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
    const targetIsFolder = written.endsWith('/') || sources.length > 1;
    for (const source of sources) {
      if (/^[a-z]+:\/\//i.test(source)) continue;
      const repoPath = posix.normalize(posix.join(context || '.', source)).replace(/^\.\/?/, '');
      const sourceIsFolder = repo.isFolder(repoPath) || source === '.' || source.endsWith('/');
      if (sourceIsFolder) {
        result.push({
          containerPath: withSlash(target),
          repoPath: repoPath === '' ? '' : withSlash(repoPath),
          location: instruction.location,
        });
      } else {
        const containerPath = targetIsFolder
          ? posix.join(target, posix.basename(repoPath))
          : target;
        result.push({ containerPath, repoPath, location: instruction.location });
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
  const found = new Set<string>();
  // Docker mounts a deeper target over a shallower one, so one container path shows the file of
  // the deepest mount that covers it. A glob may match files of several mounts.
  const exact = !picomatch.scan(pattern).isGlob;
  let depth = -1;
  for (const entry of files) {
    let repoPattern: string | undefined;
    if (entry.containerPath.endsWith('/')) {
      if (pattern.startsWith(entry.containerPath)) {
        repoPattern = entry.repoPath + pattern.slice(entry.containerPath.length);
      }
    } else if (pattern === entry.containerPath || picomatch.isMatch(entry.containerPath, pattern)) {
      repoPattern = entry.repoPath;
    }
    if (repoPattern === undefined) continue;
    const matches = repo.glob(repoPattern);
    if (exact) {
      if (entry.containerPath.length <= depth) continue;
      depth = entry.containerPath.length;
      found.clear();
    }
    for (const path of matches) found.add(path);
  }
  return [...found].sort();
}

function withSlash(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}
