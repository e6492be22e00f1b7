import { posix } from 'node:path';
import picomatch from 'picomatch';
import type { DeploymentModel, Dockerfile } from '../../model/types.js';
import type { SourceFile } from '../../source.js';
import { servicesBuilding } from './stages.js';

/** Build context folders of a Dockerfile, relative to the root ('' for the root itself). */
export function buildContexts(model: DeploymentModel, dockerfile: Dockerfile): string[] {
  const contexts = new Set<string>();
  for (const service of servicesBuilding(model, dockerfile)) {
    if (service.build?.context !== undefined) contexts.add(normalizeFolder(service.build.context));
  }
  if (contexts.size === 0) contexts.add(normalizeFolder(posix.dirname(dockerfile.file.path)));
  return [...contexts];
}

function normalizeFolder(folder: string): string {
  const normalized = posix.normalize(folder || '.').replace(/\/$/, '');
  return normalized === '.' ? '' : normalized;
}

/** Joins a context folder and a path inside it into a repository path. */
export function inContext(context: string, path: string): string {
  const joined = posix.normalize(posix.join(context || '.', path)).replace(/^\.\/?/, '');
  return joined.replace(/\/$/, '');
}

/** Patterns of a `.dockerignore` file, in order; `!` patterns re-include. */
export interface IgnoreRule {
  negated: boolean;
  matches: (path: string) => boolean;
}

/**
 * Reads the ignore file BuildKit uses for a build: `<Dockerfile>.dockerignore` beside the
 * Dockerfile, else `.dockerignore` at the context root. Returns an empty list when neither
 * was read.
 */
export function dockerignoreOf(
  model: DeploymentModel,
  dockerfile: Dockerfile,
  context: string,
): readonly IgnoreRule[] {
  const specific = model.files.get(`${dockerfile.file.path}.dockerignore`);
  const file = specific ?? model.files.get(context ? `${context}/.dockerignore` : '.dockerignore');
  if (!file) return [];
  let rules = compiledIgnoreFiles.get(file);
  if (!rules) {
    rules = compileIgnoreFile(file);
    compiledIgnoreFiles.set(file, rules);
  }
  return rules;
}

// Every COPY of every rule reads the same few ignore files, and compiling their patterns each
// time cost more than matching them. The files live as long as the audit.
const compiledIgnoreFiles = new WeakMap<SourceFile, IgnoreRule[]>();

function compileIgnoreFile(file: SourceFile): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const line of file.text.split(/\r?\n/)) {
    let pattern = line.trim();
    if (pattern === '' || pattern.startsWith('#')) continue;
    const negated = pattern.startsWith('!');
    if (negated) pattern = pattern.slice(1).trim();
    pattern = posix.normalize(pattern.replace(/^\/+/, '')).replace(/\/$/, '');
    if (pattern === '.' || pattern === '') continue;
    rules.push({ negated, matches: picomatch(pattern, { dot: true }) });
  }
  return rules;
}

/**
 * True when the ignore rules exclude `path` (relative to the context) from the build context.
 * As in Docker, a pattern that matches a folder excludes everything under it, and the last
 * matching pattern decides.
 */
export function isExcluded(rules: readonly IgnoreRule[], path: string): boolean {
  if (rules.length === 0) return false;
  const parts = path.split('/');
  const prefixes = parts.map((_, index) => parts.slice(0, index + 1).join('/'));
  let excluded = false;
  for (const rule of rules) {
    if (prefixes.some((prefix) => rule.matches(prefix))) excluded = !rule.negated;
  }
  return excluded;
}
