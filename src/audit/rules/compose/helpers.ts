import type { Location } from '../../../finding/finding.js';
import { datastoreOfImage } from '../../model/roles.js';
import type {
  ComposeProject,
  ComposeService,
  DatastoreKind,
  DeploymentModel,
  DockerInstruction,
  DockerStage,
  EnvFile,
  PortMapping,
} from '../../model/types.js';
import { isRootUser as isRootUserValue } from '../../parsers/dockerfile/user.js';
import { parseEnvFile } from '../../parsers/envfile.js';

export interface ServiceEntry {
  project: ComposeProject;
  service: ComposeService;
}

/**
 * Lists every service of every compose project. A file that belongs to several projects (a base
 * file merged with each variant) yields its services once per project, and the engine drops the
 * repeated findings.
 */
export function servicesOf(model: DeploymentModel): ServiceEntry[] {
  return model.compose.flatMap((project) =>
    project.services.map((service) => ({ project, service })),
  );
}

/** Stable fingerprint key of a service: its project folder and name, plus an optional detail. */
export function serviceKey(entry: ServiceEntry, detail?: string): string {
  const base = `${entry.project.dir}/${entry.service.name}`;
  return detail ? `${base}:${detail}` : base;
}

/** True for YAML `true` and for the text `true` left by interpolation. */
export function isTrue(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a nested value of the service configuration, such as `['deploy', 'resources']`. */
export function valueAt(config: Record<string, unknown>, path: ReadonlyArray<string>): unknown {
  let value: unknown = config;
  for (const segment of path) {
    if (!isMapping(value)) return undefined;
    value = value[segment];
  }
  return value;
}

/** Joins words as English prose: `a`, `a and b`, `a, b and c` (or with `or`). */
export function joinWords(words: ReadonlyArray<string>, conjunction: 'and' | 'or' = 'and'): string {
  if (words.length <= 1) return words[0] ?? '';
  return `${words.slice(0, -1).join(', ')} ${conjunction} ${words[words.length - 1]}`;
}

export function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) return [];
  return value.filter((item) => typeof item === 'string' || typeof item === 'number').map(String);
}

/**
 * Locates the deepest key of `path` that the service sets, for findings about a missing
 * setting: `deploy.resources` when `limits` is missing below it, or the service name.
 */
export function missingAt(service: ComposeService, path: ReadonlyArray<string>): Location {
  for (let length = path.length; length > 0; length--) {
    if (!isMapping(valueAt(service.config, path.slice(0, length - 1)))) continue;
    if (valueAt(service.config, path.slice(0, length)) === undefined) continue;
    const location = service.locate(path.slice(0, length));
    if (location) return location;
  }
  return service.location;
}

/** Returns `/udp` for a UDP port and nothing for TCP, so the two entries of one port differ. */
export function udpSuffix(port: PortMapping): string {
  return port.protocol === 'udp' ? '/udp' : '';
}

/** True for a host address that only the host itself can reach: `127.0.0.0/8`, `::1`, `localhost`. */
export function isLoopback(hostIp: string | undefined): boolean {
  if (hostIp === undefined) return false;
  const address = hostIp.replace(/^\[|\]$/g, '').toLowerCase();
  return /^127\./.test(address) || address === '::1' || address === 'localhost';
}

/** Returns the service's data-store kind, from the model builder or else from its image. */
export function datastoreOf(service: ComposeService): DatastoreKind | undefined {
  return service.datastore ?? datastoreOfImage(service.image);
}

/** True when a user value (`root`, `0`, `0:0`, `000`, `root:staff`) names the root user. */
export function isRootUser(value: string): boolean {
  return isRootUserValue(value.trim());
}

/** Returns the HEALTHCHECK that applies to the service's build stage, following base stages. */
export function dockerfileHealthcheck(service: ComposeService): DockerInstruction | undefined {
  const dockerfile = service.dockerfile;
  if (!dockerfile) return undefined;
  const seen = new Set<number>();
  let index: number | undefined = service.stageIndex ?? dockerfile.stages.length - 1;
  while (index !== undefined && !seen.has(index)) {
    seen.add(index);
    const stage: DockerStage | undefined = dockerfile.stages[index];
    if (!stage) return undefined;
    const checks = stage.instructions.filter(
      (instruction) => instruction.keyword === 'HEALTHCHECK',
    );
    const last = checks[checks.length - 1];
    if (last) return last;
    index = stage.baseStage;
  }
  return undefined;
}

/** Returns the parsed env file at a repository path, from the model or parsed from its text. */
export function envFileAt(model: DeploymentModel, path: string): EnvFile | undefined {
  const known = model.envFiles.find((envFile) => envFile.file.path === path);
  if (known) return known;
  const file = model.files.get(path);
  return file ? parseEnvFile(file) : undefined;
}

/** One variable of a container's environment, with where it is set. */
export interface ContainerVariable {
  value: string | null;
  /** Value as written, before `${VAR}` interpolation. Undefined for env-file entries. */
  raw?: string | null;
  location: Location;
  /** The env file that sets it, or undefined when the compose `environment` sets it. */
  envFile?: string;
}

/**
 * Collects the environment a container starts with: entries of its env files, later files
 * overriding earlier ones, then its `environment`, which overrides them all as in Compose.
 */
export function containerEnvironment(
  model: DeploymentModel,
  service: ComposeService,
): Map<string, ContainerVariable> {
  const variables = new Map<string, ContainerVariable>();
  for (const envFile of service.envFiles) {
    for (const entry of envFileAt(model, envFile.path)?.entries ?? []) {
      variables.set(entry.key, {
        value: entry.value,
        location: entry.location,
        envFile: envFile.path,
      });
    }
  }
  for (const [name, variable] of Object.entries(service.environment)) {
    variables.set(name, { value: variable.value, raw: variable.raw, location: variable.location });
  }
  return variables;
}
