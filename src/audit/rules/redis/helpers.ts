import { posix } from 'node:path';
import type { Location } from '../../../finding/finding.js';
import { readSource } from '../../discovery/read.js';
import { resolveContainerPath } from '../../model/container-files.js';
import type {
  ComposeService,
  ConfEntry,
  DeploymentModel,
  KeyValueConf,
} from '../../model/types.js';
import { parseRedisAclFile } from '../../parsers/conf.js';
import { findConfFor, servicesOf } from '../postgresql/helpers.js';
import { type CommandOption, readServerCommand } from './command.js';

/** One Redis server as configured: a redis.conf, a compose service, or both. */
export interface RedisSetup {
  /** The redis.conf the server loads, when it is in the repository. */
  conf?: KeyValueConf;
  /** The compose service that runs the server; undefined for a redis.conf that no service loads. */
  service?: ComposeService;
  /** Directives in the order Redis applies them: the file's, then command-line options. */
  entries: ConfEntry[];
  /** Command-line options of the service, with the location of each word. */
  options: CommandOption[];
  /** Location for findings about a missing directive: the file's first line or the command. */
  anchor: Location;
  /** True when directives may come from files InfraPrime does not read (`include`). */
  partial: boolean;
  /** The ACL file that `aclfile` names, when it is mounted from the repository. */
  acl?: KeyValueConf;
}

/**
 * Lists every Redis server of the deployment. A redis.conf that a service loads is read with that
 * service's command-line options after it, because options override the file. A redis.conf that
 * no service loads is read alone. A service whose configuration file is not in the repository is
 * left out, because its settings are unknown.
 */
export function redisSetups(model: DeploymentModel): RedisSetup[] {
  const setups: RedisSetup[] = [];
  const loaded = new Set<KeyValueConf>();
  // An ACL file named like a redis.conf, such as users.conf, is read as the ACL file it is.
  const aclFiles = new Set<string>();
  for (const service of servicesOf(model)) {
    if (service.datastore !== 'redis') continue;
    const setup = serviceSetup(service, model);
    if (!setup) continue;
    if (setup.conf) loaded.add(setup.conf);
    if (setup.acl) aclFiles.add(setup.acl.file.path);
    setups.push(setup);
  }
  for (const conf of model.redisConfs) {
    if (loaded.has(conf) || aclFiles.has(conf.file.path)) continue;
    // A Sentinel configuration, such as redis-sentinel.conf, configures no data server.
    if (conf.entries.some((entry) => entry.key === 'sentinel')) continue;
    setups.push({
      conf,
      entries: conf.entries,
      options: [],
      anchor: conf.file.fileStart(),
      partial: hasInclude(conf.entries),
    });
  }
  return setups;
}

/**
 * Returns the ACL files that Redis servers load and that the model has not read as ACL files,
 * such as a file named `users` with no `.acl` suffix.
 */
export function unlistedAclFiles(model: DeploymentModel): KeyValueConf[] {
  const listed = new Set(model.redisAcls.map((acl) => acl.file.path));
  const found = new Map<string, KeyValueConf>();
  for (const setup of redisSetups(model)) {
    if (setup.acl && !listed.has(setup.acl.file.path)) found.set(setup.acl.file.path, setup.acl);
  }
  return [...found.values()];
}

function serviceSetup(service: ComposeService, model: DeploymentModel): RedisSetup | undefined {
  const command = readServerCommand(service, model);
  if (!command) return undefined;
  let conf: KeyValueConf | undefined;
  if (command.confPath !== undefined) {
    const mounted = findConfFor(service, model.redisConfs).find(
      (candidate) => candidate.containerPath === command.confPath,
    );
    if (!mounted) return undefined;
    conf = mounted.conf;
  }

  const fromCommand = command.options.map(optionEntry);
  const entries = [...(conf?.entries ?? []), ...bitnamiEntries(service), ...fromCommand];
  const setup: RedisSetup = {
    conf,
    service,
    entries,
    options: command.options,
    anchor: conf ? conf.file.fileStart() : command.location,
    partial: hasInclude(entries),
  };
  const aclPath = aclFileOf(setup);
  if (aclPath) setup.acl = mountedAclFile(service, aclPath, model);
  return setup;
}

/**
 * Returns the container path of the ACL file the server loads, or undefined without one. Redis
 * reads a relative path from its `dir`, which is /data, the working folder, in the official
 * image.
 */
export function aclFileOf(setup: RedisSetup): string | undefined {
  const value = lastValue(setup, 'aclfile')?.value;
  if (!value) return undefined;
  const dir = posix.resolve('/data', lastValue(setup, 'dir')?.value ?? '.');
  return posix.resolve(dir, value);
}

/**
 * Reads the ACL file mounted at `containerPath`, by file or by folder. Files ending in `.acl`
 * are already in the model, and a file of any other name is read here.
 */
function mountedAclFile(
  service: ComposeService,
  containerPath: string,
  model: DeploymentModel,
): KeyValueConf | undefined {
  // Files the rules have not read are read from disk, so every mapped file counts as present.
  const repoPath = resolveContainerPath(
    posix.normalize(containerPath),
    service.containerFiles,
    () => true,
  );
  if (repoPath === undefined) return undefined;
  const known = model.redisAcls.find((acl) => acl.file.path === repoPath);
  if (known) return known;
  const file = model.files.get(repoPath) ?? readSource(model.root, repoPath).file;
  return file ? parseRedisAclFile(file) : undefined;
}

function optionEntry(option: CommandOption): ConfEntry {
  const [first, ...rest] = option.args;
  return {
    key: option.key,
    value: first?.value ?? '',
    rest: rest.map((word) => word.value),
    location: option.location,
  };
}

function hasInclude(entries: readonly ConfEntry[]): boolean {
  return entries.some((entry) => entry.key === 'include');
}

const BITNAMI = /(^|\/)bitnami\/(redis|valkey)$/;

/**
 * Translates the environment of a Bitnami Redis or Valkey image into the directives its
 * entrypoint writes. The image refuses to start without a password unless
 * `ALLOW_EMPTY_PASSWORD=yes`, so a service without either never runs unauthenticated.
 */
function bitnamiEntries(service: ComposeService): ConfEntry[] {
  if (!BITNAMI.test(service.image?.repository ?? '')) return [];
  const env = service.environment;
  const entry = (key: string, value: string, rest: string[], location: Location): ConfEntry => ({
    key,
    value,
    rest,
    location,
  });
  const result: ConfEntry[] = [];

  const password = env.REDIS_PASSWORD ?? env.REDIS_PASSWORD_FILE ?? env.VALKEY_PASSWORD;
  const allowEmpty = env.ALLOW_EMPTY_PASSWORD;
  if (password && (password.value || password.interpolated)) {
    result.push(entry('requirepass', password.raw ?? '', [], password.location));
  } else if (allowEmpty && /^(yes|true|1)$/i.test(allowEmpty.value ?? '')) {
    result.push(entry('requirepass', '', [], allowEmpty.location));
  } else {
    result.push(entry('requirepass', '<required by the image>', [], service.location));
  }

  const tls = env.REDIS_TLS_ENABLED ?? env.VALKEY_TLS_ENABLED;
  if (tls && /^(yes|true|1)$/i.test(tls.value ?? '')) {
    // NOTE: read as TLS on 6379 with the plain port closed; REDIS_TLS_PORT_NUMBER and
    // REDIS_PORT_NUMBER, which can move or reopen them, are not read.
    result.push(entry('tls-port', '6379', [], tls.location), entry('port', '0', [], tls.location));
  }

  const disabled = env.REDIS_DISABLE_COMMANDS ?? env.VALKEY_DISABLE_COMMANDS;
  for (const name of (disabled?.value ?? '').split(',')) {
    if (name.trim() && disabled) {
      result.push(entry('rename-command', name.trim(), [''], disabled.location));
    }
  }

  const aclFile = env.REDIS_ACLFILE ?? env.VALKEY_ACLFILE;
  if (aclFile?.value) result.push(entry('aclfile', aclFile.value, [], aclFile.location));
  return result;
}

/** Returns the value Redis uses for `key`: the last directive that sets it. */
export function lastValue(setup: RedisSetup, key: string): ConfEntry | undefined {
  for (let index = setup.entries.length - 1; index >= 0; index--) {
    const entry = setup.entries[index]!;
    if (entry.key === key) return entry;
  }
  return undefined;
}

/** Names the server for messages: its configuration file, its service, or both. */
export function describeSetup(setup: RedisSetup): string {
  if (setup.conf && setup.service) {
    return `'${setup.conf.file.path}' as loaded by service '${setup.service.name}'`;
  }
  if (setup.conf) return `'${setup.conf.file.path}'`;
  return `service '${setup.service?.name}'`;
}

/** Stable fingerprint key of a setup. */
export function setupKey(setup: RedisSetup, detail: string): string {
  const where = setup.conf?.file.path ?? `service:${setup.service?.name}`;
  return `${where}:${detail}`;
}
