import { posix } from 'node:path';
import picomatch from 'picomatch';
import { classifyByName, mayBeNginxByContent } from '../discovery/classify.js';
import { type GitView, isIgnoredByGit, readGitView } from '../discovery/git.js';
import { readSource } from '../discovery/read.js';
import { type InputIssue, walkTree } from '../discovery/walk.js';
import { loadComposeProject } from '../parsers/compose.js';
import { parseKeyValueConf, parsePgHba, parseRedisAclFile } from '../parsers/conf.js';
import type { ReadContext } from '../parsers/context.js';
import { parseDockerfile } from '../parsers/dockerfile.js';
import { parseEnvFile } from '../parsers/envfile.js';
import { looksLikeNginx } from '../parsers/nginx.js';
import { parseYaml } from '../parsers/yaml.js';
import type { SourceFile } from '../source.js';
import { groupComposeFiles } from './compose-groups.js';
import { collectContainerFiles, createRepoIndex } from './container-files.js';
import { nginxConfigOfService, standaloneNginxConfigs } from './nginx-configs.js';
import { assignRoles } from './roles.js';
import type {
  ComposeService,
  DatastoreKind,
  DeploymentModel,
  Dockerfile,
  FileKind,
  ParseIssue,
} from './types.js';

export interface BuildOptions {
  /** Globs, relative to the root, of paths to leave out. */
  ignore?: string[];
  /** Explicit compose projects, each a list of files in `-f` order; replaces the grouping. */
  composeProjects?: string[][];
  /** Called as files are read, for a progress indicator. */
  onProgress?: (done: number, total: number) => void;
  /** Files already discovered under the root; the tree is walked when this is undefined. */
  discovery?: Discovery;
  /**
   * Leaves the Dockerfiles that no compose service builds out of the model and lists them in
   * `standaloneDockerfiles`, so that the caller can parse and check them one at a time.
   */
  separateStandalone?: boolean;
}

/** The files under an audit root, with their git tracked and ignored state. */
export interface Discovery {
  git: GitView | undefined;
  /** Files to read, relative to the root, after `ignore` globs. */
  paths: string[];
  /** Without git: files, and folders with a trailing slash, that a `.gitignore` excluded. */
  ignored: Set<string>;
  issues: InputIssue[];
}

/**
 * Expands an `ignore` entry so that it also covers a folder's contents, as in `.gitignore`:
 * `test/` and `test` both leave out everything under `test`.
 */
function withFolderContents(glob: string): string[] {
  const folder = glob.replace(/\/+$/, '');
  return folder === glob ? [glob, `${folder}/**`] : [`${folder}/**`];
}

/** Walks the tree under `root` and applies the `ignore` globs. */
export function discover(root: string, ignoreGlobs: string[] = []): Discovery {
  const git = readGitView(root);
  const walk = walkTree(root, git);
  const skip = ignoreMatcher(ignoreGlobs);
  return {
    git,
    paths: walk.files.filter((path) => !skip(path)),
    ignored: walk.ignored,
    issues: walk.issues,
  };
}

/** Returns a test for the repository paths that the `ignore` globs of the configuration cover. */
export function ignoreMatcher(ignoreGlobs: readonly string[]): (path: string) => boolean {
  if (ignoreGlobs.length === 0) return () => false;
  return picomatch(ignoreGlobs.flatMap(withFolderContents), { dot: true });
}

export interface BuildResult {
  model: DeploymentModel;
  parseIssues: ParseIssue[];
  inputIssues: InputIssue[];
  /** Deployment files read, by kind. */
  kinds: Map<string, FileKind>;
  /** With `separateStandalone`: Dockerfiles no compose service builds, left out of the model. */
  standaloneDockerfiles: string[];
}

/** Container paths whose file is data-store configuration, whatever its repository name. */
const MOUNTED_CONF_KINDS: Array<[RegExp, FileKind, DatastoreKind]> = [
  [/\/pg_hba\.conf$/, 'pg-hba', 'postgres'],
  [/\/postgresql(\.[\w-]+)?\.conf$/, 'postgresql-conf', 'postgres'],
  [/\/redis(\.[\w-]+)?\.conf$|^\/usr\/local\/etc\/redis\//, 'redis-conf', 'redis'],
];

/** Reads the tree under `root` into one deployment model. */
export function buildModel(root: string, options: BuildOptions = {}): BuildResult {
  const { git, paths, ignored, issues } = options.discovery ?? discover(root, options.ignore);
  const repo = createRepoIndex(paths, root);
  const inputIssues = [...issues];
  const files = new Map<string, SourceFile>();
  const failed = new Set<string>();
  const walked = new Set(paths);

  const read = (repoPath: string): SourceFile | undefined => {
    const known = files.get(repoPath);
    if (known || failed.has(repoPath)) return known;
    const outcome = readSource(root, repoPath, walked.has(repoPath));
    if (outcome.issue) inputIssues.push(outcome.issue);
    if (outcome.file) files.set(repoPath, outcome.file);
    else failed.add(repoPath);
    return outcome.file;
  };
  const context: ReadContext = { root, read, glob: (pattern) => repo.glob(pattern) };

  const kinds = classifyAll(paths, read, options.onProgress);
  const byKind = (kind: FileKind) => paths.filter((path) => kinds.get(path) === kind);
  const parseIssues: ParseIssue[] = [];

  const dockerfiles = new Map<string, Dockerfile>();
  const dockerfileAt = (repoPath: string): Dockerfile | undefined => {
    const known = dockerfiles.get(repoPath);
    if (known) return known;
    const file = read(repoPath);
    if (!file) return undefined;
    const parsed = parseDockerfile(file);
    dockerfiles.set(repoPath, parsed);
    kinds.set(repoPath, 'dockerfile');
    return parsed;
  };
  if (!options.separateStandalone) for (const path of byKind('dockerfile')) dockerfileAt(path);

  const composeSets = options.composeProjects ?? groupComposeFiles(byKind('compose'));
  const yamlCache = new Map<string, ReturnType<typeof parseYaml>>();
  const yamlAt = (repoPath: string) => {
    const known = yamlCache.get(repoPath);
    if (known) return known;
    const file = read(repoPath);
    if (!file) return undefined;
    const parsed = parseYaml(file);
    yamlCache.set(repoPath, parsed);
    return parsed;
  };
  for (const path of options.composeProjects?.flat() ?? []) {
    if (read(path) || inputIssues.some((issue) => issue.path === path)) continue;
    inputIssues.push({
      path,
      message: `'${path}', listed under compose-projects in .infraprime.yml, is not a readable file`,
      help: 'write the path from the audited folder, or remove it from compose-projects',
    });
  }
  const compose = composeSets.map((set) => {
    const yamls = set.map(yamlAt).filter((yaml) => yaml !== undefined);
    const dir = posix.dirname(set[0]!) === '.' ? '' : posix.dirname(set[0]!);
    return loadComposeProject(yamls, dir, context);
  });
  for (const yaml of yamlCache.values()) parseIssues.push(...yaml.issues);
  for (const project of compose) parseIssues.push(...project.issues);

  const services = compose.flatMap((project) => project.services);
  linkServices(services, dockerfileAt, repo);
  const standaloneDockerfiles = options.separateStandalone
    ? byKind('dockerfile').filter((path) => !dockerfiles.has(path) && files.has(path))
    : [];

  const claimed = new Set<string>();
  for (const service of services) {
    if (service.role !== 'proxy') continue;
    const config = nginxConfigOfService(service, repo, read);
    if (!config) continue;
    service.nginx = config;
    for (const file of config.files) {
      claimed.add(file.path);
      kinds.set(file.path, 'nginx');
    }
  }
  const nginx = [
    ...new Set(services.flatMap((service) => (service.nginx ? [service.nginx] : []))),
    ...standaloneNginxConfigs(byKind('nginx'), claimed, repo, read),
  ];
  for (const config of nginx) parseIssues.push(...config.issues);

  addMountedConfs(services, kinds, repo);
  const confsOf = (kind: FileKind) =>
    [...kinds]
      .filter(([, k]) => k === kind)
      .map(([path]) => read(path))
      .filter((f) => f !== undefined);
  const postgresConfs = confsOf('postgresql-conf').map((file) =>
    parseKeyValueConf(file, 'postgresql'),
  );
  const redisConfs = confsOf('redis-conf').map((file) => parseKeyValueConf(file, 'redis'));
  const redisAcls = confsOf('redis-acl').map(parseRedisAclFile);
  const pgHba = confsOf('pg-hba').map(parsePgHba);

  for (const service of services) {
    for (const envFile of service.envFiles)
      if (repo.files.includes(envFile.path)) kinds.set(envFile.path, 'env');
  }
  const envFiles = confsOf('env').map(parseEnvFile);
  const workflows = [...confsOf('github-workflow'), ...confsOf('gitlab-ci')].map((file) =>
    parseYaml(file),
  );

  for (const group of [
    [...dockerfiles.values()],
    postgresConfs,
    redisConfs,
    redisAcls,
    pgHba,
    envFiles,
    workflows,
  ]) {
    for (const parsed of group) parseIssues.push(...parsed.issues);
  }

  const model: DeploymentModel = {
    root,
    dockerfiles: [...dockerfiles.values()],
    compose,
    nginx,
    postgresConfs,
    pgHba,
    redisConfs,
    redisAcls,
    envFiles,
    workflows,
    files,
    tracked: git?.tracked,
    isIgnored: (path) =>
      git ? isIgnoredByGit(git, path) : isIgnoredByGit({ tracked: new Set(), ignored }, path),
  };
  return { model, parseIssues, inputIssues, kinds, standaloneDockerfiles };
}

function classifyAll(
  paths: string[],
  read: (path: string) => SourceFile | undefined,
  onProgress?: (done: number, total: number) => void,
): Map<string, FileKind> {
  const kinds = new Map<string, FileKind>();
  for (const [index, path] of paths.entries()) {
    if (onProgress && index % 64 === 0) onProgress(index, paths.length);
    const kind = classifyByName(path);
    if (kind) kinds.set(path, kind);
    else if (mayBeNginxByContent(path)) {
      const file = read(path);
      if (file && looksLikeNginx(file.text)) kinds.set(path, 'nginx');
    }
  }
  for (const path of kinds.keys()) read(path);
  return kinds;
}

function linkServices(
  services: ComposeService[],
  dockerfileAt: (path: string) => Dockerfile | undefined,
  repo: ReturnType<typeof createRepoIndex>,
): void {
  for (const service of services) {
    const path = service.build?.dockerfile;
    const dockerfile = path ? dockerfileAt(path) : undefined;
    if (dockerfile) {
      service.dockerfile = dockerfile;
      const target = service.build?.target;
      const stage = target
        ? dockerfile.stages.find(
            (candidate) => candidate.name?.toLowerCase() === target.toLowerCase(),
          )
        : undefined;
      service.stageIndex = stage?.index ?? Math.max(0, dockerfile.stages.length - 1);
    }
    service.containerFiles = collectContainerFiles(service, repo);
  }
  assignRoles(services, (service) =>
    service.containerFiles.some((file) => file.containerPath.startsWith('/etc/nginx/')),
  );
}

function addMountedConfs(
  services: ComposeService[],
  kinds: Map<string, FileKind>,
  repo: ReturnType<typeof createRepoIndex>,
): void {
  for (const service of services) {
    if (service.role !== 'datastore') continue;
    for (const file of service.containerFiles) {
      if (file.containerPath.endsWith('/')) {
        // Redis ACL files have no fixed name, so only `.acl` files in a mounted folder count.
        if (service.datastore !== 'redis') continue;
        for (const path of repo.files) {
          if (path.startsWith(file.repoPath) && path.endsWith('.acl') && !kinds.has(path)) {
            kinds.set(path, 'redis-acl');
          }
        }
        continue;
      }
      const kind =
        service.datastore === 'redis' && file.containerPath.endsWith('.acl')
          ? 'redis-acl'
          : MOUNTED_CONF_KINDS.find(
              ([pattern, , datastore]) =>
                datastore === service.datastore && pattern.test(file.containerPath),
            )?.[1];
      if (kind && !kinds.has(file.repoPath)) kinds.set(file.repoPath, kind);
    }
  }
}
