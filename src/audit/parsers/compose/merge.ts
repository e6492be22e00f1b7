import { splitVolumeSpec } from './mounts.js';
import { isMapping, isOverride, originOf, RESET, setOrigin, setOwn } from './tracked.js';

/** Service keys whose override value replaces the earlier one instead of being appended. */
const REPLACED = new Set(['command', 'entrypoint', 'healthcheck.test']);

/** Pattern of a value path for the merge rules: `services.*.ports` for `services.web.ports`. */
function patternOf(path: ReadonlyArray<string>): string {
  if (path[0] === 'services' && path.length >= 2) return path.slice(2).join('.');
  return `#${path.join('.')}`;
}

/**
 * Merges `over` into `base` as `docker compose -f base -f over` does: mappings merge key by key,
 * sequences append, scalars replace, `!reset` removes and `!override` replaces. `command`,
 * `entrypoint`, `healthcheck.test` and each `ulimits` entry replace; `logging` is replaced
 * when the driver changes. Returns the merged value, which may be `base` mutated in place.
 */
export function mergeTracked(base: unknown, over: unknown, path: ReadonlyArray<string>): unknown {
  const pattern = patternOf(path);
  if (REPLACED.has(pattern) || /^ulimits\.[^.]+$/.test(pattern)) return over;
  if (over === null || over === undefined) return base;
  if (isOverride(over)) return over;
  if (pattern === 'logging' && isMapping(base) && isMapping(over)) {
    const driverChanged =
      base.driver !== undefined && over.driver !== undefined && base.driver !== over.driver;
    return driverChanged ? over : mergeMappings(base, over, path);
  }
  if (isMapping(base) && isMapping(over)) return mergeMappings(base, over, path);
  if (Array.isArray(base) && Array.isArray(over)) {
    for (let i = 0; i < over.length; i++) {
      base.push(over[i]);
      setOrigin(base, base.length - 1, originOf(over, i));
    }
    return base;
  }
  return over;
}

export function mergeMappings(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
  path: ReadonlyArray<string>,
): Record<string, unknown> {
  for (const key of Object.keys(over)) {
    const value = over[key];
    const origin = originOf(over, key);
    if (value === RESET) {
      delete base[key];
      setOrigin(base, key, undefined);
      continue;
    }
    if (!Object.hasOwn(base, key) || base[key] === RESET) {
      setOwn(base, key, value);
      setOrigin(base, key, origin);
      continue;
    }
    setOwn(base, key, mergeTracked(base[key], value, [...path, key]));
    if (value !== null) setOrigin(base, key, origin);
  }
  return base;
}

// ---------------------------------------------------------------- unique entries

type Indexer = (entry: unknown) => string | undefined;

const byText: Indexer = (entry) =>
  typeof entry === 'string' || typeof entry === 'number' ? String(entry) : undefined;

const byPort: Indexer = (entry) => {
  if (!isMapping(entry)) return byText(entry);
  return `${entry.host_ip ?? ''}:${entry.published ?? ''}:${entry.target ?? ''}/${entry.protocol ?? 'tcp'}`;
};

const byVolumeTarget: Indexer = (entry) => {
  if (isMapping(entry)) return typeof entry.target === 'string' ? entry.target : undefined;
  return typeof entry === 'string' ? splitVolumeSpec(entry).target : undefined;
};

const byMountTarget =
  (folder: string): Indexer =>
  (entry) => {
    if (typeof entry === 'string') return `${folder}/${entry}`;
    if (!isMapping(entry)) return undefined;
    if (typeof entry.target === 'string') return entry.target;
    return `${folder}/${String(entry.source)}`;
  };

const byEnvFilePath: Indexer = (entry) =>
  isMapping(entry) ? (typeof entry.path === 'string' ? entry.path : undefined) : byText(entry);

const UNIQUE: Record<string, Indexer> = {
  cap_add: byText,
  cap_drop: byText,
  configs: byMountTarget(''),
  devices: byText,
  dns: byText,
  dns_opt: byText,
  dns_search: byText,
  env_file: byEnvFilePath,
  expose: byText,
  links: byText,
  ports: byPort,
  profiles: byText,
  secrets: byMountTarget('/run/secrets'),
  tmpfs: byText,
  volumes: byVolumeTarget,
};

/**
 * Removes redefinitions from the service's unique sequences, as Compose does after merging:
 * a later entry with the same key (a port mapping, a volume target, a capability) replaces the
 * earlier one in the earlier one's position.
 */
export function enforceUnicity(service: Record<string, unknown>): void {
  for (const [key, indexer] of Object.entries(UNIQUE)) {
    const list = service[key];
    if (!Array.isArray(list)) continue;
    const unique: unknown[] = [];
    const positions = new Map<string, number>();
    list.forEach((entry, index) => {
      const id = indexer(entry);
      const known = id === undefined ? undefined : positions.get(id);
      const position = known ?? unique.length;
      if (known === undefined) {
        unique.push(entry);
        if (id !== undefined) positions.set(id, position);
      } else {
        unique[position] = entry;
      }
      setOrigin(unique, position, originOf(list, index));
    });
    service[key] = unique;
  }
}
