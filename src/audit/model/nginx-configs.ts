import { posix } from 'node:path';
import { type IncludeResolver, parseNginx } from '../parsers/nginx.js';
import type { SourceFile } from '../source.js';
import { containerToRepo, type RepoIndex } from './container-files.js';
import type { ComposeService, NginxConfig } from './types.js';

/** Configuration folders of the nginx images InfraPrime knows, each with its main file. */
const NGINX_PREFIXES = [
  '/etc/nginx/',
  '/usr/local/openresty/nginx/conf/',
  '/opt/bitnami/nginx/conf/',
  '/usr/local/nginx/conf/',
];
const FRAGMENT_PATTERNS = [
  '/etc/nginx/conf.d/*.conf',
  '/etc/nginx/templates/*.template',
  '/etc/nginx/sites-enabled/*',
  '/opt/bitnami/nginx/conf/server_blocks/*.conf',
  '/usr/local/openresty/nginx/conf/conf.d/*.conf',
];

type Reader = (repoPath: string) => SourceFile | undefined;

function readAll(paths: string[], read: Reader): SourceFile[] {
  return paths.map(read).filter((file): file is SourceFile => file !== undefined);
}

/**
 * Builds the nginx configuration a proxy service loads: its mounted or copied main file, or the
 * `conf.d` fragments that the image's own main file includes inside `http`.
 */
export function nginxConfigOfService(
  service: ComposeService,
  repo: RepoIndex,
  read: Reader,
): NginxConfig | undefined {
  const files = service.containerFiles;
  const resolve: IncludeResolver = (pattern, from) => {
    const absolute = pattern.startsWith('/') ? pattern : posix.join('/etc/nginx/', pattern);
    const mapped = containerToRepo(absolute, files, repo);
    if (mapped.length > 0 || pattern.startsWith('/')) return readAll(mapped, read);
    const beside = posix.join(posix.dirname(from.path), pattern);
    return readAll(repo.glob(beside), read);
  };

  for (const prefix of NGINX_PREFIXES) {
    const main = readAll(containerToRepo(`${prefix}nginx.conf`, files, repo), read)[0];
    if (main) return parseNginx(main, resolve);
  }
  const fragments = readAll(
    [...new Set(FRAGMENT_PATTERNS.flatMap((pattern) => containerToRepo(pattern, files, repo)))],
    read,
  );
  if (fragments.length === 0) return undefined;
  return mergeConfigs(fragments.map((fragment) => parseNginx(fragment, resolve)));
}

function mergeConfigs(configs: NginxConfig[]): NginxConfig {
  const first = configs[0]!;
  if (configs.length === 1) return first;
  return {
    entry: first.entry,
    directives: configs.flatMap((config) => config.directives),
    files: [...new Set(configs.flatMap((config) => config.files))],
    issues: configs.flatMap((config) => config.issues),
  };
}

/**
 * Parses nginx files that no proxy service loads. A file named `nginx.conf` stands for the
 * image's configuration folder, so `include /etc/nginx/conf.d/*.conf` finds `conf.d/` beside it.
 * Files that another standalone file includes are not entries of their own.
 */
export function standaloneNginxConfigs(
  paths: string[],
  claimed: Set<string>,
  repo: RepoIndex,
  read: Reader,
): NginxConfig[] {
  const ordered = paths
    .filter((path) => !claimed.has(path))
    .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
  const configs: NginxConfig[] = [];
  const included = new Set<string>();

  for (const path of ordered) {
    if (included.has(path)) continue;
    const entry = read(path);
    if (!entry) continue;
    const folder = posix.dirname(path) === '.' ? '' : `${posix.dirname(path)}/`;
    const resolve: IncludeResolver = (pattern) => {
      let repoPattern: string | undefined;
      if (!pattern.startsWith('/')) repoPattern = folder + pattern;
      else {
        const prefix = NGINX_PREFIXES.find((candidate) => pattern.startsWith(candidate));
        if (prefix) repoPattern = folder + pattern.slice(prefix.length);
      }
      return repoPattern === undefined ? [] : readAll(repo.glob(repoPattern), read);
    };
    const config = parseNginx(entry, resolve);
    for (const file of config.files) if (file.path !== path) included.add(file.path);
    configs.push(config);
  }
  return configs.filter((config) => !included.has(config.entry.path));
}

function rank(path: string): number {
  return posix.basename(path) === 'nginx.conf' ? 0 : 1;
}
