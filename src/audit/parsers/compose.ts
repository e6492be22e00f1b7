import { posix } from 'node:path';
import type {
  ComposeNetwork,
  ComposeProject,
  ComposeService,
  EnvFile,
  ParseIssue,
  YamlFile,
} from '../model/types.js';
import { applyExtends } from './compose/extends.js';
import { enforceUnicity, mergeMappings } from './compose/merge.js';
import { normalizeService } from './compose/normalize.js';
import { baseDirOf, type PathBase, toRepoPath } from './compose/paths.js';
import { buildService } from './compose/service.js';
import {
  dropResets,
  isMapping,
  locationAt,
  type Origin,
  originOf,
  trackDocument,
} from './compose/tracked.js';
import type { ReadContext } from './context.js';
import { parseEnvFile } from './envfile.js';
import { interpolate, type VariableLookup } from './interpolate.js';
import { parseYaml } from './yaml.js';

/** Included projects nested deeper than this are reported instead of loaded. */
const MAX_INCLUDE_DEPTH = 10;

interface LoadState {
  context: ReadContext;
  issues: ParseIssue[];
  yamlCache: Map<string, YamlFile>;
  includeChain: string[];
}

/**
 * Loads one compose project from its files in `docker compose -f` order, following the Compose
 * Specification: each file is interpolated with the `.env` beside the first file, its
 * `extends` resolved, and merged over the earlier files; `include` loads further projects.
 * Problems become issues; the loader does not throw on malformed input.
 */
export function loadComposeProject(
  files: YamlFile[],
  dir: string,
  context: ReadContext,
): ComposeProject {
  const state: LoadState = { context, issues: [], yamlCache: new Map(), includeChain: [] };
  for (const file of files) state.yamlCache.set(file.file.path, file);
  return loadProject(files, dir, state);
}

function loadProject(files: YamlFile[], dir: string, state: LoadState): ComposeProject {
  const { context, issues } = state;
  const dotenv = readDotenv(dir, state);
  const lookup = lookupOf(dotenv);
  const base: PathBase = { root: context.root, projectDir: dir, projectFiles: new Set(files) };
  const readYaml = (repoPath: string) => readYamlFile(repoPath, state);
  const externalServices = new Map<YamlFile, Record<string, unknown> | undefined>();
  const extendsContext = {
    base,
    issues,
    readYaml,
    servicesOf: (yaml: YamlFile) => {
      if (!externalServices.has(yaml)) {
        externalServices.set(yaml, mergeFile(yaml, lookup, issues).services as never);
      }
      const services = externalServices.get(yaml);
      return isMapping(services) ? services : undefined;
    },
  };

  let merged: Record<string, unknown> = {};
  for (const yaml of files) {
    if (yaml.documents.length === 0 && yaml.issues.length === 0) {
      issues.push({
        message: `compose file '${yaml.file.path}' is empty`,
        location: yaml.file.fileStart(),
        help: 'add a `services:` mapping, or remove the file',
      });
    }
    const tree = mergeFile(yaml, lookup, issues);
    if (isMapping(tree.services)) applyExtends(tree.services, yaml.file.path, extendsContext);
    merged = mergeMappings(merged, tree, []);
  }
  dropResets(merged);

  const project: ComposeProject = {
    dir,
    files,
    services: readServices(merged, base, issues),
    networks: readNetworks(merged),
    volumes: readNamed(merged.volumes),
    secrets: readNamed(merged.secrets),
    issues,
  };
  if (dotenv) project.dotenv = dotenv;
  addImplicitDefaultNetwork(project);
  loadIncludes(merged, project, base, state);
  return project;
}

/** Tracks and merges the documents of one file, normalizing the shape of each service. */
function mergeFile(
  yaml: YamlFile,
  lookup: VariableLookup,
  issues: ParseIssue[],
): Record<string, unknown> {
  let result: Record<string, unknown> = {};
  // After a YAML error the parser's recovery decides the shape, so shape errors would only
  // repeat the YAML error with misleading advice.
  const shapeIssues = yaml.issues.length > 0 ? [] : issues;
  yaml.documents.forEach((document, doc) => {
    if (document === null || document === undefined) return;
    if (!isMapping(document)) {
      shapeIssues.push({
        message: `compose file '${yaml.file.path}' must be a mapping at the top level, not ${describe(document)}`,
        location: yaml.locate([], 'value', doc) ?? yaml.file.fileStart(),
        help: 'start the file with a `services:` mapping whose keys are service names',
      });
      return;
    }
    const tree = trackDocument(yaml, doc, lookup, issues) as Record<string, unknown>;
    checkServices(tree, yaml, shapeIssues);
    result = mergeMappings(result, tree, []);
  });
  return result;
}

function checkServices(tree: Record<string, unknown>, yaml: YamlFile, issues: ParseIssue[]): void {
  const services = tree.services;
  if (services === undefined || services === null) return;
  if (!isMapping(services)) {
    issues.push({
      message: `'services' in '${yaml.file.path}' must be a mapping of service names, not ${describe(services)}`,
      location: locationAt(originOf(tree, 'services')!),
      help: 'write each service as a key under `services:`, such as `  web:` followed by its settings',
    });
    delete tree.services;
    return;
  }
  for (const name of Object.keys(services)) {
    const service = services[name];
    if (service === null) {
      services[name] = {};
      continue;
    }
    if (!isMapping(service)) {
      issues.push({
        message: `service '${name}' in '${yaml.file.path}' must be a mapping, not ${describe(service)}`,
        location: locationAt(originOf(services, name)!),
        help: `put the settings of '${name}' below it, such as \`image: nginx:1.27\``,
      });
      delete services[name];
      continue;
    }
    normalizeService(name, service, issues);
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  return `${typeof value === 'object' ? 'null' : typeof value} ${JSON.stringify(value)}`;
}

function readServices(
  merged: Record<string, unknown>,
  base: PathBase,
  issues: ParseIssue[],
): ComposeService[] {
  const services = merged.services;
  if (!isMapping(services)) return [];
  const result: ComposeService[] = [];
  for (const name of Object.keys(services)) {
    const config = services[name];
    const origin = originOf(services, name);
    if (!isMapping(config) || !origin) continue;
    enforceUnicity(config);
    result.push(buildService(name, config, origin, base, issues, merged));
  }
  return result;
}

function readNetworks(merged: Record<string, unknown>): Record<string, ComposeNetwork> {
  const networks = merged.networks;
  const result: Record<string, ComposeNetwork> = {};
  if (!isMapping(networks)) return result;
  for (const name of Object.keys(networks)) {
    const value = networks[name];
    const config = isMapping(value) ? value : {};
    const origin = originOf(networks, name);
    const network: ComposeNetwork = {
      name,
      internal: config.internal === true || config.internal === 'true',
      external:
        config.external === true || config.external === 'true' || isMapping(config.external),
    };
    if (typeof config.driver === 'string') network.driver = config.driver;
    if (origin) network.location = locationAt(origin);
    result[name] = network;
  }
  return result;
}

/** Compose creates the `default` network for services that list no network. */
function addImplicitDefaultNetwork(project: ComposeProject): void {
  if (project.networks.default) return;
  if (!project.services.some((service) => service.networks.includes('default'))) return;
  project.networks.default = { name: 'default', internal: false, external: false };
}

function readNamed(value: unknown): Record<string, Record<string, unknown>> {
  const result: Record<string, Record<string, unknown>> = {};
  if (!isMapping(value)) return result;
  for (const name of Object.keys(value)) {
    const entry = value[name];
    result[name] = isMapping(entry) ? entry : {};
  }
  return result;
}

// ---------------------------------------------------------------- .env and included projects

function readDotenv(dir: string, state: LoadState): EnvFile | undefined {
  const file = state.context.read(dir ? `${dir}/.env` : '.env');
  return file ? parseEnvFile(file) : undefined;
}

/** Variables of the `.env` file; values refer to earlier entries as Compose expands them. */
function lookupOf(dotenv: EnvFile | undefined): VariableLookup {
  const values = new Map<string, string>();
  for (const entry of dotenv?.entries ?? []) {
    const value =
      entry.quote === "'"
        ? entry.value
        : interpolate(entry.value, (name) => values.get(name)).value;
    values.set(entry.key, value);
  }
  return (name) => values.get(name);
}

function readYamlFile(repoPath: string, state: LoadState): YamlFile | undefined {
  const known = state.yamlCache.get(repoPath);
  if (known) return known;
  const file = state.context.read(repoPath);
  if (!file) return undefined;
  const yaml = parseYaml(file);
  state.yamlCache.set(repoPath, yaml);
  state.issues.push(...yaml.issues);
  return yaml;
}

/** Loads the projects named by top-level `include` and adds their services and resources. */
function loadIncludes(
  merged: Record<string, unknown>,
  project: ComposeProject,
  base: PathBase,
  state: LoadState,
): void {
  const include = merged.include;
  if (!Array.isArray(include)) return;
  include.forEach((entry, index) => {
    const origin = originOf(include, index)!;
    const paths = isMapping(entry) ? entry.path : entry;
    const list = (Array.isArray(paths) ? paths : [paths]).filter((p) => typeof p === 'string');
    const files: YamlFile[] = [];
    for (const path of list) {
      const repoPath = toRepoPath(path, baseDirOf(origin, base), base.root);
      const yaml = repoPath === undefined ? undefined : readYamlFile(repoPath, state);
      if (!yaml) {
        state.issues.push({
          message: `included compose file '${path}' cannot be read`,
          location: locationAt(origin),
          help: 'point `include` at a compose file inside the audited folder',
        });
        return;
      }
      files.push(yaml);
    }
    if (files.length === 0) return;
    const key = files[0]!.file.path;
    if (state.includeChain.includes(key) || state.includeChain.length >= MAX_INCLUDE_DEPTH) {
      state.issues.push({
        message: `'${key}' is included in a cycle or more than ${MAX_INCLUDE_DEPTH} levels deep`,
        location: locationAt(origin),
        help: 'remove the `include` entry that closes the cycle',
      });
      return;
    }
    const dir = posix.dirname(key) === '.' ? '' : posix.dirname(key);
    state.includeChain.push(key);
    const included = loadProject(files, dir, { ...state, issues: [] });
    state.includeChain.pop();
    state.issues.push(...included.issues);
    mergeIncluded(project, included, origin);
  });
}

function mergeIncluded(project: ComposeProject, included: ComposeProject, origin: Origin): void {
  for (const service of included.services) {
    if (project.services.some((known) => known.name === service.name)) {
      project.issues.push({
        message: `service '${service.name}' is defined both here and in the included '${included.files[0]?.file.path}'`,
        location: locationAt(origin),
        help: 'rename one of the services; Compose rejects a name defined twice through include',
      });
      continue;
    }
    project.services.push(service);
  }
  for (const [name, network] of Object.entries(included.networks))
    project.networks[name] ??= network;
  for (const [name, volume] of Object.entries(included.volumes)) project.volumes[name] ??= volume;
  for (const [name, secret] of Object.entries(included.secrets)) project.secrets[name] ??= secret;
}
