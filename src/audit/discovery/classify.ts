import type { FileKind } from '../model/types.js';

const COMPOSE = /^(docker-)?compose([.-][\w.-]+)?\.ya?ml$/i;
const DOCKERFILE = /^(dockerfile|containerfile)([.-][\w.-]+)?$|\.(dockerfile|containerfile)$/i;
/**
 * Extensions of files named like `dockerfile.ts` that hold code, documentation or data about
 * Dockerfiles: a parser, its tests, a snapshot. `Dockerfile.prod` and `Dockerfile.alpine` stay.
 */
const NOT_A_DOCKERFILE =
  /\.(dockerignore|md|txt|ts|tsx|mts|cts|js|jsx|mjs|cjs|go|py|rs|rb|java|kt|php|cs|c|h|cpp|json|ya?ml|toml|snap|html|css|sh|map|lock)$/;
const ENV = /^\.env(\.[\w.-]+)?$|^[\w.-]+\.env$/i;
const NGINX_DIRS = new Set(['nginx', 'conf.d', 'sites-available', 'sites-enabled', 'http.d']);

/** Classifies a file by its repository path alone; `undefined` means "not a deployment file". */
export function classifyByName(repoPath: string): FileKind | undefined {
  const parts = repoPath.split('/');
  const base = parts[parts.length - 1]!;
  const lower = base.toLowerCase();

  if (DOCKERFILE.test(base) && !NOT_A_DOCKERFILE.test(lower)) return 'dockerfile';
  if (COMPOSE.test(base)) return 'compose';
  if (lower === 'pg_hba.conf') return 'pg-hba';
  if (lower === 'postgresql.conf' || lower.endsWith('.postgresql.conf')) return 'postgresql-conf';
  if (/^redis([.-][\w.-]+)?\.conf$/.test(lower)) return 'redis-conf';
  if (lower === '.gitignore') return 'gitignore';
  if (lower === '.dockerignore' || lower.endsWith('.dockerignore')) return 'dockerignore';
  if (lower === '.gitlab-ci.yml' || lower === '.gitlab-ci.yaml') return 'gitlab-ci';
  if (isGithubWorkflow(parts)) return 'github-workflow';
  if (ENV.test(base)) return 'env';
  if (isNginxName(parts, lower)) return 'nginx';
  return undefined;
}

function isGithubWorkflow(parts: string[]): boolean {
  const count = parts.length;
  return (
    count >= 3 &&
    parts[count - 3] === '.github' &&
    parts[count - 2] === 'workflows' &&
    /\.ya?ml$/i.test(parts[count - 1]!)
  );
}

function isNginxName(parts: string[], lower: string): boolean {
  if (lower === 'nginx.conf' || /^nginx[\w.-]*\.conf$/.test(lower) || lower.endsWith('.nginx')) {
    return true;
  }
  if (!lower.endsWith('.conf') && !lower.endsWith('.conf.template')) return false;
  return parts.slice(0, -1).some((dir) => NGINX_DIRS.has(dir.toLowerCase()));
}

/** True for files whose content may be sniffed for nginx syntax when the name says nothing. */
export function mayBeNginxByContent(repoPath: string): boolean {
  const lower = repoPath.toLowerCase();
  return lower.endsWith('.conf') || lower.endsWith('.conf.template') || lower.endsWith('.template');
}
