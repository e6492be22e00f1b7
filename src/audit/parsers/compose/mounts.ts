import type { Mount, ParseIssue } from '../../model/types.js';
import { baseDirOf, isHostPath, type PathBase, toRepoPath } from './paths.js';
import { isMapping, locationAt, originOf } from './tracked.js';

const MOUNT_TYPES = new Set<Mount['type']>([
  'bind',
  'volume',
  'tmpfs',
  'npipe',
  'image',
  'cluster',
]);

/** Splits `SOURCE:TARGET:MODE`, keeping the colon of a Windows drive such as `C:\data`. */
export function splitVolumeSpec(spec: string): { source?: string; target: string; mode?: string } {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < spec.length; i++) {
    const char = spec[i]!;
    const isDrive =
      char === ':' &&
      current.length === 1 &&
      /[A-Za-z]/.test(current) &&
      /[\\/]/.test(spec[i + 1] ?? '');
    if (char === ':' && !isDrive) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  if (parts.length === 1) return { target: parts[0]! };
  if (parts.length === 2) return { source: parts[0]!, target: parts[1]! };
  return { source: parts[0]!, target: parts[1]!, mode: parts.slice(2).join(':') };
}

/** Reads a service's `volumes` and `tmpfs` entries into mounts. */
export function readMounts(
  name: string,
  service: Record<string, unknown>,
  base: PathBase,
  issues: ParseIssue[],
): Mount[] {
  const mounts: Mount[] = [];
  const volumes = service.volumes;
  if (Array.isArray(volumes)) {
    volumes.forEach((entry, index) => {
      const mount = readVolume(name, volumes, index, entry, base, issues);
      if (mount) mounts.push(mount);
    });
  } else if (volumes !== undefined && volumes !== null) {
    issues.push({
      message: `'volumes' of service '${name}' must be a list`,
      location: locationAt(originOf(service, 'volumes')!),
      help: 'list each mount on its own line, as in `- ./data:/data:ro`',
    });
  }
  const tmpfs = service.tmpfs;
  if (Array.isArray(tmpfs)) {
    tmpfs.forEach((entry, index) => {
      if (typeof entry !== 'string') return;
      const target = entry.split(':')[0]!;
      const location = locationAt(originOf(tmpfs, index)!);
      mounts.push({ type: 'tmpfs', target, readOnly: false, location });
    });
  }
  return mounts;
}

function readVolume(
  name: string,
  list: unknown[],
  index: number,
  entry: unknown,
  base: PathBase,
  issues: ParseIssue[],
): Mount | undefined {
  const origin = originOf(list, index)!;
  const location = locationAt(origin);
  const baseDir = baseDirOf(origin, base);
  if (typeof entry === 'string') {
    const { source, target, mode } = splitVolumeSpec(entry);
    const modes = (mode ?? '').split(',');
    if (!source) return { type: 'volume', target, readOnly: modes.includes('ro'), location };
    const type = isHostPath(source) ? 'bind' : 'volume';
    const repoPath = type === 'bind' ? toRepoPath(source, baseDir, base.root) : undefined;
    return {
      type,
      source,
      target,
      readOnly: modes.includes('ro'),
      ...(repoPath !== undefined ? { repoPath } : {}),
      location,
    };
  }
  if (!isMapping(entry) || typeof entry.target !== 'string') {
    issues.push({
      message: `volume ${index + 1} of service '${name}' must be a string or a mapping with a 'target'`,
      location,
      help: 'write `- ./host:/container:ro`, or `- { type: bind, source: ./host, target: /container }`',
    });
    return undefined;
  }
  const source = typeof entry.source === 'string' ? entry.source : undefined;
  const declared = typeof entry.type === 'string' ? (entry.type as Mount['type']) : undefined;
  const type =
    declared && MOUNT_TYPES.has(declared)
      ? declared
      : source && isHostPath(source)
        ? 'bind'
        : 'volume';
  const repoPath = type === 'bind' && source ? toRepoPath(source, baseDir, base.root) : undefined;
  const sourceOrigin = source !== undefined ? originOf(entry, 'source') : undefined;
  return {
    type,
    ...(source !== undefined ? { source } : {}),
    target: entry.target,
    readOnly: entry.read_only === true || entry.read_only === 'true',
    ...(repoPath !== undefined ? { repoPath } : {}),
    location,
    ...(sourceOrigin ? { sourceLocation: locationAt(sourceOrigin, 'value') } : {}),
  };
}
