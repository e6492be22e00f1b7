import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditPath } from '../src/audit/engine.js';
import { allRules } from '../src/audit/rules/registry.js';
import { type AgreementCounts, measureAgreement } from './kics/agreement.js';
import { KICS_DIR, type KicsQuery, kicsCorpusPresent, loadKicsQueries } from './kics/corpus.js';
import { caseOf, KNOWN_DIFFERENCES } from './kics/differences.js';
import { KICS_MAPPING, RULES_WITHOUT_KICS_QUERY } from './kics/mapping.js';
import { measureCorpus, type QueryReport } from './kics/report.js';

// The samples are KICS's own test files, read in place from ../shared/corpus/kics (or
// INFRAPRIME_KICS_DIR); nothing from KICS is copied into this repository.
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
