import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** KICS's query folders with their samples, read in place beside the repository. */
export const KICS_DIR = process.env.INFRAPRIME_KICS_DIR ?? join(repoRoot, '../shared/corpus/kics');

export type Platform = 'dockerCompose' | 'dockerfile';

/**
 * Origin of a label. `expected` is an entry of the query's positive_expected_result.json.
 * `implicit` is such an entry without a file name, which the old KICS harness read as
 * `positive.<ext>`. `alias` is an entry whose file is absent, read against the sample that the
 * corpus manifest names in its place. `derived` comes from the manifest's `derived_labels`, which
 * the corpus recovered from a KICS expected-result version with merge conflicts.
 */
export type LabelSource = 'expected' | 'implicit' | 'alias' | 'derived';

export interface Label {
  line: number;
  source: LabelSource;
}

export interface Sample {
  /** File name in the query's `test` folder, such as `positive1.dockerfile`. */
  name: string;
  path: string;
  text: string;
  kind: 'positive' | 'negative';
  /** Lines KICS expects its query to report, empty for negatives and unlabelled positives. */
  labels: Label[];
  /** A positive sample that no expected result, alias or derived label names. */
  unlabelled: boolean;
  /** Whether a compose sample has a top-level `version` key, and true for every Dockerfile. */
  hasVersionKey: boolean;
}

export interface AbsentLabel {
  file: string;
  line: number;
}

export interface KicsQuery {
  /** Folder relative to the corpus, such as `dockerfile/last_user_is_root`. */
  id: string;
  platform: Platform;
  queryName: string;
  severity: string;
  samples: Sample[];
  /** Expected entries whose file the corpus does not hold and that no alias replaces. */
  absentLabels: AbsentLabel[];
}

interface ExpectedEntry {
  queryName: string;
  severity: string;
  line: number;
  filename?: string;
  fileName?: string;
}

interface ManifestQuery {
  queryName: string;
  severity: string;
  aliases?: Record<string, { use_file: string }>;
  derived_labels?: { labels: { file: string; line: number }[] };
}

const EXTENSION: Record<Platform, string> = { dockerCompose: 'yaml', dockerfile: 'dockerfile' };

export function kicsCorpusPresent(root = KICS_DIR): boolean {
  return existsSync(join(root, 'MANIFEST.json'));
}

/** Loads every query of the corpus with its samples and labels, sorted by id. */
export function loadKicsQueries(root = KICS_DIR): KicsQuery[] {
  const manifest = JSON.parse(readFileSync(join(root, 'MANIFEST.json'), 'utf8')) as {
    queries: Record<string, ManifestQuery>;
  };
  return Object.entries(manifest.queries)
    .map(([id, entry]) => loadQuery(root, id, entry))
    .sort((a, b) => a.id.localeCompare(b.id));
}

function loadQuery(root: string, id: string, manifest: ManifestQuery): KicsQuery {
  const platform = id.split('/')[0] as Platform;
  const testDir = join(root, id, 'test');
  const metadata = JSON.parse(readFileSync(join(root, id, 'metadata.json'), 'utf8')) as {
    queryName: string;
    severity: string;
  };
  assertSameQuery(id, metadata, manifest);

  const names = readdirSync(testDir)
    .filter((name) => /^(positive|negative)\w*\.(ya?ml|dockerfile)$/.test(name))
    .sort(compareSampleNames);
  const { labels, absentLabels } = collectLabels(root, id, platform, new Set(names), manifest);

  const samples = names.map((name): Sample => {
    const path = join(testDir, name);
    const text = readFileSync(path, 'utf8');
    const kind = name.startsWith('positive') ? 'positive' : 'negative';
    const sampleLabels = labels.get(name) ?? [];
    return {
      name,
      path,
      text,
      kind,
      labels: sampleLabels,
      unlabelled: kind === 'positive' && sampleLabels.length === 0,
      hasVersionKey: platform === 'dockerfile' || hasTopLevelVersion(text),
    };
  });
  return {
    id,
    platform,
    queryName: metadata.queryName,
    severity: metadata.severity,
    samples,
    absentLabels,
  };
}

function assertSameQuery(
  id: string,
  metadata: { queryName: string; severity: string },
  manifest: ManifestQuery,
): void {
  if (metadata.queryName !== manifest.queryName || metadata.severity !== manifest.severity) {
    throw new Error(
      `${id}: metadata.json names '${metadata.queryName}' (${metadata.severity}) but ` +
        `MANIFEST.json names '${manifest.queryName}' (${manifest.severity})`,
    );
  }
}

/**
 * Collects the labels of every sample: entries of positive_expected_result.json in either file
 * name spelling, implicit `positive.<ext>` entries, aliases for absent files, and derived labels.
 */
function collectLabels(
  root: string,
  id: string,
  platform: Platform,
  present: Set<string>,
  manifest: ManifestQuery,
) {
  const expectedPath = join(root, id, 'test', 'positive_expected_result.json');
  const entries = JSON.parse(readFileSync(expectedPath, 'utf8')) as ExpectedEntry[];
  const labels = new Map<string, Label[]>();
  const absentLabels: AbsentLabel[] = [];
  const add = (file: string, line: number, source: LabelSource) => {
    const list = labels.get(file) ?? [];
    if (!list.some((label) => label.line === line)) list.push({ line, source });
    labels.set(file, list);
  };

  for (const entry of entries) {
    const named = entry.filename ?? entry.fileName;
    const file = named ?? `positive.${EXTENSION[platform]}`;
    const alias = manifest.aliases?.[file]?.use_file;
    if (present.has(file)) add(file, entry.line, named ? 'expected' : 'implicit');
    else if (alias && present.has(alias)) add(alias, entry.line, 'alias');
    else absentLabels.push({ file, line: entry.line });
  }
  for (const derived of manifest.derived_labels?.labels ?? []) {
    if (present.has(derived.file)) add(derived.file, derived.line, 'derived');
    else absentLabels.push({ file: derived.file, line: derived.line });
  }
  for (const list of labels.values()) list.sort((a, b) => a.line - b.line);
  return { labels, absentLabels };
}

function hasTopLevelVersion(text: string): boolean {
  const contents = parseDocument(text).contents as { has?: (key: string) => boolean } | null;
  return typeof contents?.has === 'function' && contents.has('version');
}

/** Orders `positive2` before `positive10`, and positives before negatives. */
function compareSampleNames(a: string, b: string): number {
  const kind = (name: string) => (name.startsWith('positive') ? 0 : 1);
  return kind(a) - kind(b) || a.localeCompare(b, 'en', { numeric: true });
}
