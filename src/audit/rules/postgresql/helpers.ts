import type {
  ComposeService,
  ConfEntry,
  DeploymentModel,
  KeyValueConf,
} from '../../model/types.js';
import { splitShellCommands } from '../../parsers/shell.js';

/** Returns the entry that takes effect for `key`: the last one, as PostgreSQL and Redis read files. */
export function lastEntry(conf: KeyValueConf, key: string): ConfEntry | undefined {
  for (let index = conf.entries.length - 1; index >= 0; index--) {
    const entry = conf.entries[index]!;
    if (entry.key === key) return entry;
  }
  return undefined;
}

/** Lists every compose service of the model. */
export function servicesOf(model: DeploymentModel): ComposeService[] {
  return model.compose.flatMap((project) => project.services);
}

/** A configuration file and the container path a service sees it at. */
export interface MountedConf {
  conf: KeyValueConf;
  containerPath: string;
}

/**
 * Maps the configuration files among `confs` that a service sees in its container, through its
 * bind mounts and Dockerfile copies. Folders mounted whole count for the files below them.
 */
export function findConfFor(
  service: ComposeService,
  confs: readonly KeyValueConf[],
): MountedConf[] {
  const found: MountedConf[] = [];
  for (const conf of confs) {
    const path = conf.file.path;
    for (const entry of service.containerFiles ?? []) {
      if (entry.repoPath === path) found.push({ conf, containerPath: entry.containerPath });
      else if (entry.containerPath.endsWith('/') && path.startsWith(entry.repoPath)) {
        found.push({
          conf,
          containerPath: entry.containerPath + path.slice(entry.repoPath.length),
        });
      }
    }
  }
  return found;
}

/**
 * Returns the service's `command` as words, or else the `CMD` of its Dockerfile's build stage,
 * which the container runs when compose sets no command. A string command is split the way
 * Compose splits it: at blanks and line breaks, with quotes removed.
 */
export function commandWords(service: ComposeService): string[] {
  const command = service.config.command;
  if (typeof command === 'string') {
    const words = splitShellCommands(command.replace(/\r?\n/g, ' '))[0]?.words ?? [];
    return words.map((word) => word.value);
  }
  if (Array.isArray(command)) return command.map(String);
  const stage = service.dockerfile?.stages[service.stageIndex ?? -1];
  const cmd = stage?.instructions.filter((instruction) => instruction.keyword === 'CMD').pop();
  return cmd?.args ?? [];
}

/** True when the service's command contains `word`, in any case. */
export function commandMentions(service: ComposeService, pattern: RegExp): boolean {
  return commandWords(service).some((word) => pattern.test(word));
}

/** Reads PostgreSQL `-c name=value` and `--name=value` settings from a server command line. */
export function postgresCommandSettings(words: readonly string[]): Map<string, string> {
  const settings = new Map<string, string>();
  for (let index = 0; index < words.length; index++) {
    const word = words[index]!;
    let setting: string | undefined;
    if (word === '-c') setting = words[++index];
    else if (word.startsWith('-c') && word.length > 2) setting = word.slice(2);
    else if (word.startsWith('--') && word.includes('=')) setting = word.slice(2);
    if (!setting) continue;
    const equals = setting.indexOf('=');
    if (equals === -1) continue;
    const name = setting.slice(0, equals).toLowerCase().replaceAll('-', '_');
    settings.set(name, setting.slice(equals + 1).replace(/^['"]|['"]$/g, ''));
  }
  return settings;
}

/**
 * True when a PostgreSQL boolean setting is on: `on`, `1`, or a prefix of `true` or `yes`, in any
 * case, as PostgreSQL's parse_bool accepts them.
 */
export function isOn(value: string | undefined): boolean {
  return value !== undefined && /^(on|1|t|tr|tru|true|y|ye|yes)$/i.test(value.trim());
}

/**
 * True when the service starts the PostgreSQL server: no command, a `postgres` command, or
 * options only, which the official image's entrypoint passes to `postgres`. A service that runs
 * `pg_dump`, `psql` or a shell on the image, or replaces its entrypoint, is a client job.
 */
export function runsPostgresServer(service: ComposeService): boolean {
  const entrypoint = service.config.entrypoint;
  const entryWords = typeof entrypoint === 'string' ? entrypoint.split(/\s+/) : entrypoint;
  if (Array.isArray(entryWords) && entryWords.length > 0 && entryWords[0] !== '') {
    if (!/(^|\/)docker-entrypoint\.sh$/.test(String(entryWords[0]))) return false;
  }
  const [first] = commandWords(service);
  return first === undefined || first.startsWith('-') || /(^|\/)postgres$/.test(first);
}

/** Returns the mounted postgresql.conf files that the service's server loads at start. */
export function loadedConfs(
  service: ComposeService,
  confs: readonly KeyValueConf[],
): MountedConf[] {
  const configFile = postgresCommandSettings(commandWords(service)).get('config_file');
  const dataDir = (service.environment.PGDATA?.value ?? DEFAULT_PGDATA).replace(/\/$/, '');
  return findConfFor(service, confs).filter(
    (mounted) =>
      mounted.containerPath === configFile ||
      mounted.containerPath === `${dataDir}/postgresql.conf`,
  );
}

/** True when an address in pg_hba.conf covers only the local machine's loopback interface. */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return true;
  const value = address.toLowerCase();
  if (value === 'localhost' || value === 'samehost') return true;
  if (/^127\.\d+\.\d+\.\d+(\/(8|9|[12]\d|3[0-2]))?$/.test(value)) return true;
  if (/^127\.\d+\.\d+\.\d+ 255\.(255|0)\.\d+\.\d+$/.test(value)) return true;
  return value === '::1' || value === '::1/128';
}

/** The folder the official postgres image keeps its data and default postgresql.conf in. */
export const DEFAULT_PGDATA = '/var/lib/postgresql/data';
