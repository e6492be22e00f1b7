import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMap, LineCounter, parseDocument } from 'yaml';
import type { KicsQuery, Platform, Sample } from './corpus.js';

/** The part of an InfraPrime finding the comparison reads. */
export interface AuditedFinding {
  ruleId: string;
  location?: { path: string; startLine: number };
  suppression?: unknown;
}

/** Audits one folder, as `auditPath` from src/audit/engine.ts does. */
export type AuditFolder = (folder: string) => { findings: AuditedFinding[] };

/** A finding line of one sample with the rules reported there. */
export interface FindingLine {
  line: number;
  rules: string[];
}

export interface AuditedSample extends Sample {
  /** Every rule's findings in the sample, by line. */
  findings: FindingLine[];
}

export interface Disagreement {
  kind: 'missed' | 'shifted' | 'extra' | 'dirty';
  file: string;
  /** The labelled line for `missed` and `shifted`, otherwise the finding's line. */
  line: number;
  /** For `shifted`: the line InfraPrime reports instead, in the same element. */
  at?: number;
  /** The mapped rules reported at the finding's line. */
  rules: string[];
}

export interface AgreementCounts {
  /** Labelled (file, line) pairs of the positive samples present in the corpus. */
  labels: number;
  /** Labels with a mapped finding at the same line or elsewhere in the same element. */
  found: number;
  /** Labels with a mapped finding at exactly that line. */
  exact: number;
  /** Mapped finding lines of labelled positives that no label accounts for. */
  extra: number;
  negatives: number;
  /** Negative samples with no mapped finding. */
  clean: number;
}

export interface QueryAgreement {
  query: KicsQuery;
  rules: string[];
  counts: AgreementCounts;
  disagreements: Disagreement[];
  samples: AuditedSample[];
}

/** The file name InfraPrime discovers for each platform's samples. */
export const DISCOVERED_NAME: Record<Platform, string> = {
  dockerCompose: 'compose.yaml',
  dockerfile: 'Dockerfile',
};

/**
 * Audits a sample as a repository of its own: the sample is written under a name InfraPrime
 * discovers, because KICS's names such as `positive1.yaml` are not deployment file names.
 */
export function auditSample(sample: Sample, platform: Platform, audit: AuditFolder): FindingLine[] {
  const folder = mkdtempSync(join(tmpdir(), 'infraprime-kics-'));
  try {
    const name = DISCOVERED_NAME[platform];
    writeFileSync(join(folder, name), sample.text);
    const byLine = new Map<number, Set<string>>();
    for (const finding of audit(folder).findings) {
      if (finding.suppression || finding.location?.path !== name) continue;
      const rules = byLine.get(finding.location.startLine) ?? new Set<string>();
      rules.add(finding.ruleId);
      byLine.set(finding.location.startLine, rules);
    }
    return [...byLine]
      .map(([line, rules]) => ({ line, rules: [...rules].sort() }))
      .sort((a, b) => a.line - b.line);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Audits every sample of a query once; the result serves any rule mapping. */
export function auditQuery(query: KicsQuery, audit: AuditFolder): AuditedSample[] {
  return query.samples.map((sample) => ({
    ...sample,
    findings: auditSample(sample, query.platform, audit),
  }));
}

/** Compares the findings of `rules` in audited samples with KICS's labels. */
export function measureAgreement(
  query: KicsQuery,
  samples: AuditedSample[],
  rules: readonly string[],
): QueryAgreement {
  const counts: AgreementCounts = {
    labels: 0,
    found: 0,
    exact: 0,
    extra: 0,
    negatives: 0,
    clean: 0,
  };
  const disagreements: Disagreement[] = [];

  for (const sample of samples) {
    const lines = mappedLines(sample, rules);
    if (sample.kind === 'negative') {
      counts.negatives++;
      if (lines.length === 0) counts.clean++;
      for (const finding of lines)
        disagreements.push({ kind: 'dirty', file: sample.name, ...finding });
      continue;
    }
    if (sample.unlabelled) continue;

    const matched = matchLabels(sample, lines, query.platform);
    counts.labels += sample.labels.length;
    counts.found += sample.labels.length - matched.missed.length;
    counts.exact += matched.exact;
    counts.extra += matched.extra.length;
    disagreements.push(...describe(sample.name, matched));
  }
  return { query, rules: [...rules], counts, disagreements, samples };
}

function mappedLines(sample: AuditedSample, rules: readonly string[]): FindingLine[] {
  return sample.findings
    .map((finding) => ({ ...finding, rules: finding.rules.filter((id) => rules.includes(id)) }))
    .filter((finding) => finding.rules.length > 0);
}

interface Matching {
  exact: number;
  shifted: { label: number; finding: FindingLine }[];
  missed: number[];
  extra: FindingLine[];
}

/**
 * Pairs labels with finding lines one to one. A label first takes a finding at its own line.
 * The remaining labels and findings of the same element (a Dockerfile stage, a compose service
 * or another top-level compose entry) are then paired closest first. KICS and InfraPrime often
 * point at different lines of one element, such as the `ports:` key and the port entry under it.
 */
function matchLabels(sample: AuditedSample, findings: FindingLine[], platform: Platform): Matching {
  const open = new Map(findings.map((finding) => [finding.line, finding]));
  const remaining: number[] = [];
  let exact = 0;
  for (const { line } of sample.labels) {
    if (open.delete(line)) exact++;
    else remaining.push(line);
  }

  const shifted = pairClosest(remaining, open, elementFinder(sample.text, platform));
  const paired = new Set(shifted.map((pair) => pair.label));
  return {
    exact,
    shifted,
    missed: remaining.filter((label) => !paired.has(label)),
    extra: [...open.values()],
  };
}

/** Pairs labels with findings of the same element, closest first, and removes them from `open`. */
function pairClosest(
  labels: number[],
  open: Map<number, FindingLine>,
  elementOf: (line: number) => number,
): Matching['shifted'] {
  const candidates = labels.flatMap((label) =>
    [...open.values()]
      .filter((finding) => elementOf(finding.line) === elementOf(label))
      .map((finding) => ({ label, finding, distance: Math.abs(finding.line - label) })),
  );
  candidates.sort(
    (a, b) => a.distance - b.distance || a.label - b.label || a.finding.line - b.finding.line,
  );

  const shifted: Matching['shifted'] = [];
  for (const { label, finding } of candidates) {
    if (shifted.some((pair) => pair.label === label) || !open.has(finding.line)) continue;
    open.delete(finding.line);
    shifted.push({ label, finding });
  }
  return shifted.sort((a, b) => a.label - b.label);
}

function describe(file: string, matching: Matching): Disagreement[] {
  return [
    ...matching.missed.map((line): Disagreement => ({ kind: 'missed', file, line, rules: [] })),
    ...matching.shifted.map(
      ({ label, finding }): Disagreement => ({
        kind: 'shifted',
        file,
        line: label,
        at: finding.line,
        rules: finding.rules,
      }),
    ),
    ...matching.extra.map((finding): Disagreement => ({ kind: 'extra', file, ...finding })),
  ];
}

/** Returns a function that gives the first line of the element a 1-based line belongs to. */
export function elementFinder(text: string, platform: Platform): (line: number) => number {
  const starts = platform === 'dockerfile' ? stageStarts(text) : composeElementStarts(text);
  return (line) => starts.filter((start) => start <= line).at(-1) ?? 0;
}

/**
 * Returns the lines of `FROM` instructions, skipping lines that continue the one before.
 * NOTE: only the default `\\` escape character is recognized, which is all the samples use.
 */
function stageStarts(text: string): number[] {
  const starts: number[] = [];
  let continued = false;
  text.split('\n').forEach((content, index) => {
    if (!continued && /^\s*from\s/i.test(content)) starts.push(index + 1);
    continued = /\\\s*$/.test(content);
  });
  return starts;
}

/** Returns the first line of each service and of each other top-level compose entry. */
function composeElementStarts(text: string): number[] {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  if (!isMap(document.contents)) return [];
  const lineOf = (node: unknown) => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? lineCounter.linePos(range[0]).line : 0;
  };

  const starts: number[] = [];
  for (const pair of document.contents.items) {
    const key = (pair.key as { value?: unknown } | null)?.value;
    if (key === 'services' && isMap(pair.value)) {
      starts.push(lineOf(pair.key));
      for (const service of pair.value.items) starts.push(lineOf(service.key));
    } else {
      starts.push(lineOf(pair.key));
    }
  }
  return starts.filter((line) => line > 0).sort((a, b) => a - b);
}
