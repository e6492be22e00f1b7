import { posix } from 'node:path';
import type { Location } from '../../../finding/finding.js';
import type { ComposeService, EnvironmentValue, ParseIssue } from '../../model/types.js';
import { parseImageRef } from '../image-ref.js';
import { readMounts } from './mounts.js';
import { baseDirOf, isRemoteContext, type PathBase, toRepoPath } from './paths.js';
import { readPorts } from './ports.js';
import { isMapping, locationAt, type Origin, originOf } from './tracked.js';

/** Service keys that take a boolean, converted when interpolation left the text `true`/`false`. */
const BOOLEAN_KEYS = ['privileged', 'read_only', 'init', 'tty', 'stdin_open', 'oom_kill_disable'];

/** Builds the model of one merged service mapping. */
export function buildService(
  name: string,
  config: Record<string, unknown>,
  serviceOrigin: Origin,
  base: PathBase,
  issues: ParseIssue[],
  project: Record<string, unknown> = {},
): ComposeService {
  castBooleans(config);
  const locate = (path: ReadonlyArray<string | number>, part: 'key' | 'value' = 'key') =>
    locateIn(config, path, part);
  const networkMode = typeof config.network_mode === 'string' ? config.network_mode : undefined;
  const networks = isMapping(config.networks) ? Object.keys(config.networks) : [];
  const service: ComposeService = {
    name,
    config,
    ports: readPorts(name, config, issues),
    expose: readStrings(config.expose),
    networks: networks.length > 0 || networkMode ? networks : ['default'],
    mounts: readMounts(name, config, base, issues, project),
    environment: readEnvironment(config),
    envFiles: readEnvFiles(config, base),
    profiles: readStrings(config.profiles),
    location: locationAt(serviceOrigin),
    locate,
    role: 'application',
    containerFiles: [],
  };
  if (networkMode) service.networkMode = networkMode;
  const image = readImage(config);
  if (image) service.image = image;
  const build = readBuild(config, base);
  if (build) service.build = build;
  const user = config.user;
  if (typeof user === 'string' || typeof user === 'number') {
    service.user = { value: String(user), location: locate(['user'], 'value')! };
    if (originOf(config, 'user')?.missing) service.user.unresolved = true;
  }
  return service;
}

/** Follows origins from the merged mapping down `path`, then locates the last one in its file. */
function locateIn(
  config: Record<string, unknown>,
  path: ReadonlyArray<string | number>,
  part: 'key' | 'value',
): Location | undefined {
  let container: unknown = config;
  let origin: Origin | undefined;
  for (const segment of path) {
    if (typeof container !== 'object' || container === null) return undefined;
    const key = Array.isArray(container) ? Number(segment) : String(segment);
    const present = Array.isArray(container) ? key in container : Object.hasOwn(container, key);
    if (!present) return undefined;
    origin = originOf(container, key);
    container = (container as Record<string | number, unknown>)[key];
  }
  return origin ? locationAt(origin, part) : undefined;
}

function castBooleans(config: Record<string, unknown>): void {
  for (const key of BOOLEAN_KEYS) {
    const value = config[key];
    if (typeof value === 'string' && /^(true|false)$/i.test(value))
      config[key] = /^true$/i.test(value);
  }
}

function readStrings(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.filter((item) => typeof item === 'string' || typeof item === 'number').map(String);
}

/** The value as written in the YAML document, before interpolation. */
export function rawValueAt(origin: Origin): unknown {
  let value: unknown = origin.yaml.documents[origin.doc];
  for (const segment of origin.path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

function readImage(config: Record<string, unknown>) {
  const image = config.image;
  if (typeof image !== 'string' && typeof image !== 'number') return undefined;
  const origin = originOf(config, 'image');
  const raw = origin ? rawValueAt(origin) : undefined;
  // With unset variables the substituted text (`app:`) misleads, so the template is kept.
  const text = origin?.missing && typeof raw === 'string' ? raw : String(image);
  return parseImageRef(text);
}

function readEnvironment(config: Record<string, unknown>): Record<string, EnvironmentValue> {
  const environment = config.environment;
  const result: Record<string, EnvironmentValue> = {};
  if (!isMapping(environment)) return result;
  for (const key of Object.keys(environment)) {
    const value = environment[key];
    const origin = originOf(environment, key);
    if (!origin) continue;
    const written = rawValueAt(origin);
    let raw: string | null;
    if (typeof origin.path[origin.path.length - 1] === 'number' && typeof written === 'string') {
      const equals = written.indexOf('=');
      raw = equals === -1 ? null : written.slice(equals + 1);
    } else {
      raw = written === null || written === undefined ? null : stringOf(written);
    }
    const keyLocation = locationAt(origin, 'key');
    const valueLocation = locationAt(origin, 'value');
    Object.defineProperty(result, key, {
      value: {
        value: value === null || value === undefined ? null : stringOf(value),
        raw,
        interpolated: origin.interpolated === true,
        location: {
          ...keyLocation,
          endLine: valueLocation.endLine,
          endColumn: valueLocation.endColumn,
        },
      },
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return result;
}

function stringOf(value: unknown): string {
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function readEnvFiles(config: Record<string, unknown>, base: PathBase): ComposeService['envFiles'] {
  const list = config.env_file;
  if (!Array.isArray(list)) return [];
  const result: ComposeService['envFiles'] = [];
  list.forEach((entry, index) => {
    const origin = originOf(list, index);
    const path = isMapping(entry) ? entry.path : entry;
    if (typeof path !== 'string' || !origin) return;
    const required = !(
      isMapping(entry) &&
      (entry.required === false || entry.required === 'false')
    );
    const repoPath = toRepoPath(path, baseDirOf(origin, base), base.root);
    result.push({
      path: repoPath ?? posix.normalize(posix.join(baseDirOf(origin, base) || '.', path)),
      required,
      location: locationAt(origin),
    });
  });
  return result;
}

function readBuildArgs(args: Record<string, unknown>): Map<string, string | undefined> {
  const result = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(args)) {
    result.set(name, value === null || value === undefined ? undefined : stringOf(value));
  }
  return result;
}

function readBuild(config: Record<string, unknown>, base: PathBase): ComposeService['build'] {
  const build = config.build;
  const buildOrigin = originOf(config, 'build');
  if (!isMapping(build) || !buildOrigin) return undefined;
  const location = locationAt(buildOrigin);
  const contextText = typeof build.context === 'string' ? build.context : '.';
  const contextOrigin = originOf(build, 'context') ?? buildOrigin;
  const result: NonNullable<ComposeService['build']> = { location };
  if (typeof build.target === 'string') result.target = build.target;
  if (isMapping(build.args)) result.args = readBuildArgs(build.args);
  if (isRemoteContext(contextText)) return result;
  // A variable that is not set makes the path unknown, not the folder it would be without it.
  if (originOf(build, 'context')?.missing || originOf(build, 'dockerfile')?.missing) return result;
  const context = toRepoPath(contextText, baseDirOf(contextOrigin, base), base.root);
  if (context === undefined) return result;
  result.context = context;
  if (typeof build.dockerfile_inline === 'string') return result;
  const dockerfile = typeof build.dockerfile === 'string' ? build.dockerfile : 'Dockerfile';
  const dockerfilePath = dockerfile.startsWith('/')
    ? toRepoPath(dockerfile, '', base.root)
    : toRepoPath(dockerfile, context, base.root);
  if (dockerfilePath !== undefined) result.dockerfile = dockerfilePath;
  return result;
}
