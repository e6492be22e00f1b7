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

/**
 * Reads the `configs` or `secrets` of a service whose top-level definition names a `file`, as
 * the read-only bind mounts Compose makes of them. Without a `target`, a config appears at
 * `/<name>` and a secret at `/run/secrets/<name>`. A relative target is taken from that folder.
 */
function fileMounts(
  service: Record<string, unknown>,
  project: Record<string, unknown>,
  key: 'configs' | 'secrets',
  folder: string,
  base: PathBase,
): Mount[] {
  const references = service[key];
  const definitions = project[key];
  if (!Array.isArray(references) || !isMapping(definitions)) return [];
  const mounts: Mount[] = [];
  references.forEach((reference, index) => {
    const long = isMapping(reference) ? reference : undefined;
    const name = typeof reference === 'string' ? reference : long?.source;
    if (typeof name !== 'string') return;
    const definition = definitions[name];
    if (!isMapping(definition) || typeof definition.file !== 'string') return;
    const target = typeof long?.target === 'string' ? long.target : name;
    const file = definition.file;
    // A `file` is always a path, so `users.acl` needs no leading `./`.
    const repoPath = toRepoPath(file, baseDirOf(originOf(definition, 'file'), base), base.root);
    mounts.push({
      type: 'bind',
      source: file,
      target: target.startsWith('/') ? target : `${folder}${target}`,
      readOnly: true,
      ...(repoPath !== undefined ? { repoPath } : {}),
      location: locationAt(originOf(references, index)!),
    });
  });
  return mounts;
}

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

/** Reads a service's `volumes`, `tmpfs`, `configs` and `secrets` entries into mounts. */
export function readMounts(
  name: string,
  service: Record<string, unknown>,
  base: PathBase,
  issues: ParseIssue[],
  project: Record<string, unknown> = {},
): Mount[] {
  const mounts: Mount[] = [];
  mounts.push(...fileMounts(service, project, 'configs', '/', base));
  mounts.push(...fileMounts(service, project, 'secrets', '/run/secrets/', base));
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
