import type { Location, Severity } from '../../finding/finding.js';
import type { SourceFile } from '../source.js';

/** A problem met while reading a file; the engine turns each into a parse-error finding. */
export interface ParseIssue {
  message: string;
  location: Location;
  /** What the user should do, such as "close the heredoc with EOF on a line of its own". */
  help: string;
  /** Severity of the parse-error finding; the engine's default applies when undefined. */
  severity?: Severity;
}

/** An image reference such as `docker.io/library/node:20.11-alpine@sha256:...`. */
export interface ImageRef {
  raw: string;
  registry?: string;
  /** Repository path without registry, such as `library/node` or `bitnami/redis`. */
  repository: string;
  tag?: string;
  digest?: string;
  /** True when the reference still contains `$VAR` or `${VAR}` after substitution. */
  unresolved: boolean;
}

// ---------------------------------------------------------------- Dockerfile

export interface DockerInstruction {
  /** Upper-case keyword, such as `RUN`. */
  keyword: string;
  /** Argument text after the keyword, continuations joined with a space, heredoc bodies excluded. */
  argText: string;
  /** Arguments: JSON array elements for the exec form, otherwise whitespace-separated words. */
  args: string[];
  jsonForm: boolean;
  /** Flags such as `--from=builder` or `--chown=1000:1000`, name without dashes. */
  flags: Record<string, string>;
  heredocs: Array<{ delimiter: string; body: string }>;
  location: Location;
  /** Span of the arguments only (the whole instruction when there are none). */
  argLocation: Location;
  /** Index of the stage this instruction belongs to; -1 for instructions before the first FROM. */
  stage: number;
}

export interface DockerStage {
  index: number;
  name?: string;
  from: DockerInstruction;
  /** The base image after substituting ARG defaults; undefined for `scratch` and stage references. */
  image?: ImageRef;
  /** Index of an earlier stage used as the base, as in `FROM builder`. */
  baseStage?: number;
  platform?: string;
  instructions: DockerInstruction[];
}

/** The user a stage's processes run as at its end, following `USER` and base stages. */
export interface EffectiveUser {
  /** User as written (`root`, `0`, `0:0`, `app`, `1001:1001`); `root` when none was set. */
  value: string;
  isRoot: boolean;
  /** The `USER` instruction that set it; undefined when inherited from the base image default. */
  instruction?: DockerInstruction;
}

export interface Dockerfile {
  file: SourceFile;
  escapeChar: string;
  /** `ARG` instructions before the first `FROM`. */
  globalArgs: DockerInstruction[];
  instructions: DockerInstruction[];
  stages: DockerStage[];
  issues: ParseIssue[];
  /** Resolves the effective user at the end of stage `index` (the final stage by default). */
  userOf(index?: number): EffectiveUser;
}

// ---------------------------------------------------------------- YAML

/** A YAML file with merge keys resolved and a way back from a value path to its source span. */
export interface YamlFile {
  file: SourceFile;
  /** Plain JavaScript value of each document, merge keys applied. */
  documents: unknown[];
  issues: ParseIssue[];
  /**
   * Locates the key (or, with `part: 'value'`, the value) at `path` in document `doc`;
   * returns undefined when the path is absent.
   */
  locate(
    path: ReadonlyArray<string | number>,
    part?: 'key' | 'value',
    doc?: number,
  ): Location | undefined;
}

// ---------------------------------------------------------------- Compose

export interface PortMapping {
  hostIp?: string;
  /** Published host port or range as written (`8080`, `8000-8010`); undefined when only a target. */
  published?: string;
  target: string;
  protocol: string;
  location: Location;
}

export interface Mount {
  type: 'bind' | 'volume' | 'tmpfs' | 'npipe' | 'image' | 'cluster';
  /** Host path (bind) or volume name as written, after interpolation. */
  source?: string;
  target: string;
  readOnly: boolean;
  /** For binds inside the audited tree, the source path relative to the audit root. */
  repoPath?: string;
  /** The whole entry: the string of the short syntax, or the mapping of the long syntax. */
  location: Location;
  /** The `source:` value of the long syntax; undefined for the short syntax. */
  sourceLocation?: Location;
}

export interface EnvironmentValue {
  /** Value after interpolation; null for a bare `KEY` that passes the host value through. */
  value: string | null;
  /** Value as written, before interpolation. */
  raw: string | null;
  /** True when the written value takes any part from `${VAR}` interpolation. */
  interpolated: boolean;
  location: Location;
}

export type ServiceRole = 'proxy' | 'datastore' | 'application';

export interface ComposeService {
  name: string;
  /** Merged, interpolated service mapping as the Compose Specification defines it. */
  config: Record<string, unknown>;
  image?: ImageRef;
  build?: {
    /** Context directory relative to the audit root; undefined when it is a URL or outside. */
    context?: string;
    /** Dockerfile path relative to the audit root. */
    dockerfile?: string;
    target?: string;
    /**
     * `build.args` after interpolation. A name listed without a value maps to undefined, because
     * Compose then passes the variable from its own environment, which the audit cannot see.
     */
    args?: Map<string, string | undefined>;
    location: Location;
  };
  ports: PortMapping[];
  expose: string[];
  /** Network names the service joins; `default` when none are listed and no network_mode. */
  networks: string[];
  networkMode?: string;
  mounts: Mount[];
  environment: Record<string, EnvironmentValue>;
  envFiles: Array<{ path: string; required: boolean; location: Location }>;
  /** `user:` after interpolation; `unresolved` when a variable in it is unset at audit time. */
  user?: { value: string; location: Location; unresolved?: boolean };
  profiles: string[];
  /** Service key location in the last file that defines it. */
  location: Location;
  /** Locates a key path below the service, such as `['deploy', 'resources', 'limits']`. */
  locate(path: ReadonlyArray<string | number>, part?: 'key' | 'value'): Location | undefined;
  // Filled by the model builder:
  role: ServiceRole;
  /** Data-store kind recognized from the image or command, such as `postgres` or `redis`. */
  datastore?: DatastoreKind;
  dockerfile?: Dockerfile;
  /** Index of the build target stage in `dockerfile`, the final stage when no target is set. */
  stageIndex?: number;
  nginx?: NginxConfig;
  /**
   * Repository files visible inside the container, from bind mounts and from `COPY`/`ADD` in the
   * final stage of its Dockerfile, such as `/etc/nginx/nginx.conf` → `proxy/nginx.conf`.
   */
  containerFiles: ContainerFile[];
}

export interface ContainerFile {
  /** Absolute path inside the container; folders end with `/`. */
  containerPath: string;
  /** Repository path of the file or folder; folders end with `/`. */
  repoPath: string;
  /** True for a mount made when the container starts, false for a file the image copies. */
  mounted: boolean;
  location: Location;
}

export type DatastoreKind =
  | 'postgres'
  | 'mysql'
  | 'mariadb'
  | 'mongodb'
  | 'redis'
  | 'memcached'
  | 'elasticsearch'
  | 'mssql'
  | 'cassandra'
  | 'rabbitmq'
  | 'kafka'
  | 'zookeeper'
  | 'influxdb'
  | 'couchdb'
  | 'neo4j';

export interface ComposeNetwork {
  name: string;
  internal: boolean;
  external: boolean;
  driver?: string;
  location?: Location;
}

export interface ComposeProject {
  /** Directory of the first compose file, relative to the audit root ('' for the root). */
  dir: string;
  /** Files in `docker compose -f` merge order: base first, overrides after. */
  files: YamlFile[];
  services: ComposeService[];
  networks: Record<string, ComposeNetwork>;
  volumes: Record<string, Record<string, unknown>>;
  secrets: Record<string, Record<string, unknown>>;
  /** Variables from the `.env` beside the first compose file, for interpolation. */
  dotenv?: EnvFile;
  issues: ParseIssue[];
}

// ---------------------------------------------------------------- nginx

export interface NginxDirective {
  name: string;
  args: string[];
  /** From the name to the `;` or the opening `{`. */
  location: Location;
  argLocations: Location[];
  /** Child directives for block directives (`http`, `server`, `location`, ...). */
  block?: NginxDirective[];
  file: SourceFile;
  parent?: NginxDirective;
}

export interface NginxConfig {
  /** The file nginx would load first (nginx.conf, or a conf.d file mounted alone). */
  entry: SourceFile;
  /** Top-level directives with `include` replaced by the included files' directives. */
  directives: NginxDirective[];
  files: SourceFile[];
  issues: ParseIssue[];
}

// ---------------------------------------------------------------- data stores and env files

export interface ConfEntry {
  key: string;
  value: string;
  /** Further words after the value, as in `rename-command FLUSHALL ""`. */
  rest: string[];
  location: Location;
}

export interface KeyValueConf {
  file: SourceFile;
  kind: 'postgresql' | 'redis';
  entries: ConfEntry[];
  issues: ParseIssue[];
}

export interface PgHbaEntry {
  type: string;
  database: string;
  user: string;
  address?: string;
  method: string;
  options: string[];
  location: Location;
}

export interface PgHbaFile {
  file: SourceFile;
  entries: PgHbaEntry[];
  issues: ParseIssue[];
}

export interface EnvFile {
  file: SourceFile;
  entries: Array<{
    key: string;
    /** Value with quotes removed and escapes applied; `${VAR}` references are kept as written. */
    value: string;
    location: Location;
    /** Quote the value was written in; Compose does not interpolate single-quoted values. */
    quote?: '"' | "'";
  }>;
  issues: ParseIssue[];
}

// ---------------------------------------------------------------- the whole deployment

export type FileKind =
  | 'dockerfile'
  | 'compose'
  | 'nginx'
  | 'postgresql-conf'
  | 'pg-hba'
  | 'redis-conf'
  | 'redis-acl'
  | 'env'
  | 'gitignore'
  | 'dockerignore'
  | 'github-workflow'
  | 'gitlab-ci';

export interface DeploymentModel {
  root: string;
  dockerfiles: Dockerfile[];
  compose: ComposeProject[];
  nginx: NginxConfig[];
  postgresConfs: KeyValueConf[];
  pgHba: PgHbaFile[];
  redisConfs: KeyValueConf[];
  /** Redis ACL files (`aclfile`) mounted into a Redis service, read as `user` directives. */
  redisAcls: KeyValueConf[];
  envFiles: EnvFile[];
  workflows: YamlFile[];
  /** Every text file read, by repository path. */
  files: Map<string, SourceFile>;
  /** Paths git tracks, or undefined when the root is not in a git work tree. */
  tracked?: Set<string>;
  /** True when git (through `.gitignore` files) ignores the repository path. */
  isIgnored(path: string): boolean;
}
