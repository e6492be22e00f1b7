import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { compareFindings, type Finding } from '../finding/finding.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { EMPTY_CONFIG } from './config.js';
import { classifyByName, mayBeNginxByContent } from './discovery/classify.js';
import {
  type AuditOptions,
  type AuditResult,
  assertFolder,
  auditPath,
  deduplicate,
} from './engine.js';
import { type Discovery, discover } from './model/build.js';
import type { FileKind } from './model/types.js';
import { allRules } from './rules/registry.js';
import { SourceFile } from './source.js';

/** Below this many files a worker's start-up costs more than it saves. */
const MIN_FILES_PER_SHARD = 400;

/** Kinds whose rules read files in other folders: compose build contexts, nginx includes, CI. */
const LINKING_KINDS = new Set<FileKind>(['compose', 'nginx', 'github-workflow', 'gitlab-ci']);

/** Result of one worker, as plain data because class instances do not cross threads. */
export interface ShardResult {
  findings: Finding[];
  files: Array<[string, string]>;
  kinds: Array<[string, FileKind]>;
  inputErrors: number;
}

/** Task of one worker. */
export interface ShardTask {
  root: string;
  discovery: Discovery;
  options: Omit<AuditOptions, 'rules' | 'onProgress' | 'discovery' | 'now'> & {
    now: number;
    ruleIds?: string[];
  };
}

/**
 * Audits `root` like `auditPath`, splitting large trees across worker threads when their
 * folders cannot affect each other's findings. Returns the same findings in the same order.
 */
export async function auditPathParallel(
  root: string,
  options: AuditOptions & { threads?: number } = {},
): Promise<AuditResult> {
  const started = performance.now();
  const absolute = resolve(root);
  assertFolder(absolute, root);
  const config = options.config ?? EMPTY_CONFIG;
  const discovery = discover(absolute, config.ignore);
  // NOTE: one thread by default. On the 2-CPU machines measured, Node's own garbage collector
  // and compiler threads already kept the second CPU busy, so two workers took longer (1.7 s
  // against 1.4 s for 3,500 Dockerfiles). Machines with more CPUs have not been measured.
  const threads = options.threads ?? 1;
  const customRules = options.rules?.some((rule) => !allRules.includes(rule)) ?? false;
  const shards = customRules ? undefined : planShards(discovery, threads);
  if (!shards) return auditPath(absolute, { ...options, discovery });

  const now = options.now ?? new Date();
  const task = (paths: string[], issues: Discovery['issues']): ShardTask => ({
    root: absolute,
    discovery: { ...discovery, paths, issues },
    options: {
      ...(options.config ? { config: options.config } : {}),
      ...(options.noIgnore ? { noIgnore: true } : {}),
      now: now.getTime(),
      ...(options.rules ? { ruleIds: options.rules.map((rule) => rule.id) } : {}),
    },
  });
  // Progress advances a shard at a time, because workers do not report file by file.
  let done = 0;
  options.onProgress?.(done, discovery.paths.length);
  const results = await Promise.all(
    shards.map(async (paths, index) => {
      const result = await runShard(task(paths, index === 0 ? discovery.issues : []));
      done += paths.length;
      options.onProgress?.(done, discovery.paths.length);
      return result;
    }),
  );
  return mergeResults(absolute, results, performance.now() - started);
}

/**
 * Splits the discovered paths into one list per thread, by top-level folder, or returns
 * undefined when the tree is small or contains files whose rules read across folders. Files at
 * the top level go to the first list.
 */
export function planShards(discovery: Discovery, threads: number): string[][] | undefined {
  const { paths } = discovery;
  if (threads < 2 || paths.length < MIN_FILES_PER_SHARD * 2) return undefined;
  for (const path of paths) {
    const kind = classifyByName(path);
    if (kind && LINKING_KINDS.has(kind)) return undefined;
    if (!kind && mayBeNginxByContent(path)) return undefined;
    // A Dockerfile at the top has the whole tree as its build context.
    if (kind === 'dockerfile' && !path.includes('/')) return undefined;
  }

  const count = Math.min(threads, Math.floor(paths.length / MIN_FILES_PER_SHARD));
  const shards: string[][] = Array.from({ length: count }, () => []);
  const share = Math.ceil(paths.length / count);
  let shard = 0;
  let previousUnit: string | undefined;
  for (const path of paths) {
    const slash = path.indexOf('/');
    const unit = slash === -1 ? '' : path.slice(0, slash);
    // Paths are sorted, so a folder's files are adjacent; a folder never spans two shards.
    if (unit !== previousUnit && unit !== '' && shards[shard]!.length >= share) {
      shard = Math.min(shard + 1, count - 1);
    }
    shards[unit === '' ? 0 : shard]!.push(path);
    previousUnit = unit;
  }
  const used = shards.filter((list) => list.length > 0);
  return used.length > 1 ? used : undefined;
}

function runShard(task: ShardTask): Promise<ShardResult> {
  return new Promise((resolvePromise, reject) => {
    const worker = new Worker(join(PACKAGE_ROOT, 'dist', 'audit', 'worker.js'), {
      workerData: task,
      // An audit keeps most of what it allocates until the end, so V8's default young
      // generation (16 MB) promotes it in many slow scavenges; 64 MB took about half the time.
      resourceLimits: { maxYoungGenerationSizeMb: 64 },
    });
    let settled = false;
    worker.once('message', (result: ShardResult) => {
      settled = true;
      resolvePromise(result);
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`audit worker exited with code ${code} before reporting`));
    });
  });
}

function mergeResults(root: string, shards: ShardResult[], durationMs: number): AuditResult {
  const findings: Finding[] = [];
  const files = new Map<string, SourceFile>();
  const kinds = new Map<string, FileKind>();
  let inputErrors = 0;
  for (const shard of shards) {
    findings.push(...shard.findings);
    for (const [path, text] of shard.files) files.set(path, new SourceFile(path, text));
    for (const [path, kind] of shard.kinds) kinds.set(path, kind);
    inputErrors += shard.inputErrors;
  }
  // Each shard reports an expired acceptance it meets, so the same notice can arrive twice.
  const unique = deduplicate(findings).sort(compareFindings);
  return { root, findings: unique, kinds, files, inputErrors, durationMs };
}
