import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { reconcileScan } from './reconcile.js';
import { ReportError } from './report-error.js';
import type { NormalizedReport, TrackedFinding } from './types.js';

/**
 * First-seen times kept in a JSON file, for `infraprime vulns gate` without a server. The file
 * holds, per image repository, every finding ever seen with the same fields the server stores.
 */
export interface LocalState {
  version: 1;
  images: Record<string, { findings: TrackedFinding[] }>;
}

const DATE_FIELDS = ['firstSeenAt', 'lastSeenAt', 'fixedAt', 'reopenedAt'] as const;

function reviveFinding(raw: Record<string, unknown>): TrackedFinding {
  const finding = { ...raw } as Record<string, unknown>;
  for (const field of DATE_FIELDS) {
    if (typeof finding[field] === 'string') finding[field] = new Date(finding[field] as string);
  }
  return finding as unknown as TrackedFinding;
}

export function emptyLocalState(): LocalState {
  return { version: 1, images: {} };
}

/** Reads the state file; a missing file is an empty state. */
export function loadLocalState(path: string): LocalState {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyLocalState();
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ReportError(
      `state file ${path} is not valid JSON (${(error as Error).message}); delete it to start over`,
    );
  }
  const state = parsed as Partial<LocalState>;
  if (state.version !== 1 || typeof state.images !== 'object' || state.images === null) {
    throw new ReportError(`state file ${path} has an unknown format; delete it to start over`);
  }
  const images: LocalState['images'] = {};
  for (const [image, entry] of Object.entries(state.images)) {
    const findings = Array.isArray(entry?.findings) ? entry.findings : [];
    images[image] = { findings: findings.map((raw) => reviveFinding(raw as never)) };
  }
  return { version: 1, images };
}

/** Writes the state through a temporary file and a rename, so a crash leaves the old file. */
export function saveLocalState(path: string, state: LocalState): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

/** Applies a report to the state and returns the findings it contains, updated. */
export function applyReportLocally(
  state: LocalState,
  report: NormalizedReport,
  imageRepository: string,
  now: Date,
): TrackedFinding[] {
  const existing = state.images[imageRepository]?.findings ?? [];
  const result = reconcileScan(existing, report.vulnerabilities, {
    scanner: report.scanner,
    at: now,
    newId: randomUUID,
  });
  const updated = new Map(result.updated.map((finding) => [finding.id, finding]));
  const findings = [...existing.map((f) => updated.get(f.id) ?? f), ...result.created];
  state.images[imageRepository] = { findings };
  const seen = new Set(result.seenIds);
  return findings.filter((finding) => seen.has(finding.id));
}
