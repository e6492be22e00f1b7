import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditPath } from '../src/audit/engine.js';
import { allRules } from '../src/audit/rules/registry.js';
import {
  type AgreementCounts,
  type AuditedSample,
  elementFinder,
  type FindingLine,
  measureAgreement,
} from './kics/agreement.js';
import {
  KICS_DIR,
  type KicsQuery,
  kicsCorpusPresent,
  loadKicsQueries,
  type Platform,
} from './kics/corpus.js';
import { caseOf, KNOWN_DIFFERENCES } from './kics/differences.js';
import { KICS_MAPPING, RULES_WITHOUT_KICS_QUERY } from './kics/mapping.js';
import { COMMAND, measureCorpus, type QueryReport, renderReport } from './kics/report.js';

// The samples are KICS's own test files, read in place from ../shared/corpus/kics or from
// INFRAPRIME_KICS_DIR. Nothing from KICS is copied into this repository.
const present = kicsCorpusPresent();
const skipped = present ? '' : ` (skipped: the KICS corpus is missing at ${KICS_DIR})`;
if (!present) console.warn(`KICS agreement tests skipped: no MANIFEST.json in ${KICS_DIR}`);

const queries: KicsQuery[] = present ? loadKicsQueries() : [];
const queryIds = queries.map((query) => query.id);
const mappedIds = queryIds.filter((id) => (KICS_MAPPING[id]?.rules.length ?? 0) > 0);
const expectedCounts = JSON.parse(
  readFileSync(join(import.meta.dirname, 'kics', 'expected-counts.json'), 'utf8'),
) as Record<string, AgreementCounts>;

function queryById(id: string): KicsQuery {
  const query = queries.find((each) => each.id === id);
  if (!query) throw new Error(`query ${id} is not in the KICS corpus`);
  return query;
}

function labelsOf(queryId: string, sample: string): string[] {
  const found = queryById(queryId).samples.find((each) => each.name === sample);
  return (found?.labels ?? []).map((label) => `${label.line} ${label.source}`);
}

/** Builds a one-sample query from inline text, labelled lines and finding lines. */
function inlineQuery(
  platform: Platform,
  kind: 'positive' | 'negative',
  text: string,
  labels: number[],
  findings: FindingLine[],
) {
  const sample: AuditedSample = {
    name: kind === 'positive' ? 'positive1' : 'negative1',
    path: '',
    text,
    kind,
    labels: labels.map((line) => ({ line, source: 'expected' as const })),
    unlabelled: false,
    hasVersionKey: true,
    findings,
  };
  const query: KicsQuery = {
    id: `${platform}/inline`,
    platform,
    queryName: 'Inline',
    severity: 'LOW',
    samples: [sample],
    absentLabels: [],
  };
  return { query, samples: [sample] };
}

const TWO_STAGES = [
  'FROM a AS build',
  'RUN x \\',
  '  FROM-like continuation',
  '',
  'FROM b',
  'USER root',
].join('\n');

const TWO_SERVICES = [
  'services:',
  '  web:',
  '    ports:',
  '      - "80:80"',
  '  db:',
  '    image: db',
  'volumes:',
  '  data:',
].join('\n');

describe('agreement matching', () => {
  it('splits Dockerfiles at FROM', () => {
    const elementOf = elementFinder(TWO_STAGES, 'dockerfile');
    expect([1, 2, 3, 4, 5, 6].map(elementOf)).toEqual([1, 1, 1, 1, 5, 5]);
  });

  it('splits compose files by service', () => {
    const elementOf = elementFinder(TWO_SERVICES, 'dockerCompose');
    expect([2, 3, 4, 5, 6, 7, 8].map(elementOf)).toEqual([2, 2, 2, 5, 5, 7, 7]);
  });

  it('counts a finding at the label line as exact', () => {
    const { query, samples } = inlineQuery(
      'dockerfile',
      'positive',
      TWO_STAGES,
      [6],
      [{ line: 6, rules: ['R1'] }],
    );
    const result = measureAgreement(query, samples, ['R1']);
    expect(result.counts).toEqual({
      labels: 1,
      found: 1,
      exact: 1,
      extra: 0,
      negatives: 0,
      clean: 0,
    });
    expect(result.disagreements).toEqual([]);
  });

  it('pairs a label with a finding in the same stage', () => {
    const { query, samples } = inlineQuery(
      'dockerfile',
      'positive',
      TWO_STAGES,
      [6],
      [
        { line: 5, rules: ['R1'] },
        { line: 1, rules: ['R1'] },
      ],
    );
    const result = measureAgreement(query, samples, ['R1']);
    expect(result.counts.found).toBe(1);
    expect(result.counts.exact).toBe(0);
    expect(
      result.disagreements.map((each) => `${each.kind} ${each.line} ${each.at ?? ''}`),
    ).toEqual(['shifted 6 5', 'extra 1 ']);
  });

  it('misses a label whose element has no finding', () => {
    const { query, samples } = inlineQuery(
      'dockerCompose',
      'positive',
      TWO_SERVICES,
      [3],
      [{ line: 5, rules: ['R1'] }],
    );
    const result = measureAgreement(query, samples, ['R1']);
    expect(result.counts.found).toBe(0);
    expect(result.counts.extra).toBe(1);
    expect(result.disagreements.map((each) => `${each.kind} ${each.line}`)).toEqual([
      'missed 3',
      'extra 5',
    ]);
  });

  it('uses each finding line for one label only', () => {
    const { query, samples } = inlineQuery(
      'dockerCompose',
      'positive',
      TWO_SERVICES,
      [2, 3],
      [{ line: 4, rules: ['R1'] }],
    );
    const result = measureAgreement(query, samples, ['R1']);
    expect(result.counts.found).toBe(1);
    expect(result.disagreements.map((each) => `${each.kind} ${each.line}`)).toEqual([
      'missed 2',
      'shifted 3',
    ]);
  });

  it('ignores rules outside the mapping', () => {
    const { query, samples } = inlineQuery(
      'dockerfile',
      'negative',
      TWO_STAGES,
      [],
      [{ line: 6, rules: ['R2'] }],
    );
    expect(measureAgreement(query, samples, ['R1']).counts.clean).toBe(1);
    expect(measureAgreement(query, samples, ['R2']).counts.clean).toBe(0);
  });
});

describe.skipIf(!present)(`KICS corpus loader${skipped}`, () => {
  it('loads 15 compose and 15 Dockerfile queries', () => {
    const platforms = queries.map((query) => query.platform);
    expect(platforms.filter((platform) => platform === 'dockerCompose')).toHaveLength(15);
    expect(platforms.filter((platform) => platform === 'dockerfile')).toHaveLength(15);
  });

  it('reads both file name keys', () => {
    expect(labelsOf('dockerCompose/container_capabilities_unrestricted', 'positive1.yaml')).toEqual(
      ['4 expected', '13 expected'],
    );
    expect(labelsOf('dockerfile/last_user_is_root', 'positive13.dockerfile')).toEqual([
      '2 expected',
    ]);
  });

  it('reads unnamed entries as positive.dockerfile', () => {
    expect(labelsOf('dockerfile/secrets_stored_in_dockerfile', 'positive.dockerfile')).toEqual([
      '4 implicit',
      '5 implicit',
    ]);
  });

  it('reads aliased labels against the substitute sample', () => {
    expect(
      labelsOf('dockerfile/apt_get_install_lists_were_not_deleted', 'positive.dockerfile'),
    ).toEqual(['2 alias', '5 alias', '8 alias', '12 alias']);
    expect(labelsOf('dockerfile/unix_ports_out_of_range', 'positive1.dockerfile')).toEqual([
      '3 alias',
    ]);
  });

  it('adds derived labels', () => {
    expect(labelsOf('dockerfile/run_using_sudo', 'positive5.dockerfile')).toEqual([
      '3 derived',
      '4 derived',
    ]);
    expect(labelsOf('dockerfile/unix_ports_out_of_range', 'positive2.dockerfile')).toEqual([
      '3 derived',
    ]);
  });

  it('sets aside labels of absent files', () => {
    const absent = (id: string) =>
      queryById(id).absentLabels.map((label) => `${label.file}:${label.line}`);
    expect(absent('dockerCompose/cpus_not_limited')).toEqual(['positive4.yaml:5']);
    expect(absent('dockerCompose/memory_not_limited')).toEqual([
      'positive3.yaml:3',
      'positive3.yaml:7',
      'positive4.yaml:8',
    ]);
    expect(absent('dockerfile/apt_get_not_avoiding_additional_packages')).toEqual([
      'positive1.dockerfile:2',
      'positive1.dockerfile:3',
    ]);
  });

  it('leaves unreferenced positives unlabelled', () => {
    const unlabelled = queries.flatMap((query) =>
      query.samples.filter((sample) => sample.unlabelled).map((s) => `${query.id}/${s.name}`),
    );
    expect(unlabelled).toEqual([
      'dockerCompose/privileged_ports_mapped_in_container/positive13.yaml',
      'dockerfile/add_instead_of_copy/positive3.dockerfile',
    ]);
  });

  it('finds the compose samples without a version key', () => {
    const unversioned = queries.flatMap((query) =>
      query.samples.filter((sample) => !sample.hasVersionKey).map((s) => `${query.id}/${s.name}`),
    );
    expect(unversioned).toEqual([
      'dockerCompose/privileged_ports_mapped_in_container/positive1.yaml',
      'dockerCompose/privileged_ports_mapped_in_container/negative1.yaml',
    ]);
  });
});

describe.skipIf(!present)(`KICS query mapping${skipped}`, () => {
  const registered = new Set(allRules.map((rule) => rule.id));

  it('has an entry for every query of the corpus', () => {
    expect(Object.keys(KICS_MAPPING).sort()).toEqual(queryIds);
  });

  it.each(queryIds)('%s names registered rules or a reason', (id) => {
    const mapping = KICS_MAPPING[id]!;
    for (const rule of mapping.rules)
      expect(registered, `${rule} is not registered`).toContain(rule);
    if (mapping.rules.length === 0) expect(mapping.reason ?? '').not.toBe('');
  });

  it('accounts for every Dockerfile and compose rule', () => {
    const mapped = new Set(Object.values(KICS_MAPPING).flatMap((mapping) => mapping.rules));
    const unaccounted = allRules
      .filter((rule) => rule.target === 'dockerfile' || rule.target === 'compose')
      .filter((rule) => !mapped.has(rule.id) && !(rule.id in RULES_WITHOUT_KICS_QUERY))
      .map((rule) => `${rule.id} ${rule.name}`);
    expect(unaccounted, 'map these rules in test/kics/mapping.ts').toEqual([]);
  });

  it('lists only registered rules as unmatched', () => {
    const stale = Object.keys(RULES_WITHOUT_KICS_QUERY).filter((id) => !registered.has(id));
    expect(stale).toEqual([]);
  });
});

describe.skipIf(!present)(`agreement with KICS labels${skipped}`, () => {
  let reports = new Map<string, QueryReport>();

  beforeAll(() => {
    reports = new Map(measureCorpus(queries, auditPath).map((report) => [report.query.id, report]));
  });

  it.each(queryIds)('%s matches the expected counts', (id) => {
    const report = reports.get(id)!;
    const disagreements = report.disagreements.map(caseOf).join(', ') || 'none';
    expect(report.counts, `disagreements: ${disagreements}`).toEqual(expectedCounts[id]);
  });

  it('matches docs/kics-agreement.md', () => {
    const page = readFileSync(join(import.meta.dirname, '..', 'docs', 'kics-agreement.md'), 'utf8');
    expect(page, `run \`${COMMAND}\``).toBe(renderReport([...reports.values()], allRules));
  });

  it.each(mappedIds)('%s differs only as documented', (id) => {
    expect(reports.get(id)!.unexplained).toEqual([]);
  });

  it.each(KNOWN_DIFFERENCES.map((difference) => [difference.title, difference] as const))(
    '%s',
    (_, difference) => {
      const report = reports.get(difference.query)!;
      const rules = difference.rules ?? report.rules;
      const measured = measureAgreement(report.query, report.samples, rules);
      const observed = measured.disagreements.map(caseOf);
      for (const expected of difference.cases) {
        expect(observed, `${difference.query}: ${difference.reason}`).toContain(expected);
      }
    },
  );
});
