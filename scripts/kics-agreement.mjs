#!/usr/bin/env node
// Writes docs/kics-agreement.md: how InfraPrime's findings agree with KICS's labelled samples in
// ../shared/corpus/kics. Run `npm run build` first, because the audit runs from dist/.
// With --update-expectations it also rewrites test/kics/expected-counts.json, the counts that
// test/kics-agreement.test.ts asserts.
//
// The comparison code lives in test/kics/*.ts, shared with the test. Node 20 cannot import
// TypeScript, so the script compiles those files with tsc into node_modules/.cache first.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const project = join(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = process.env.INFRAPRIME_KICS_DIR ?? join(project, '..', 'shared', 'corpus', 'kics');
const sources = join(project, 'test', 'kics');
const compiled = join(project, 'node_modules', '.cache', 'infraprime-kics');
const updateExpectations = process.argv.includes('--update-expectations');

function fail(message) {
  console.error(`kics-agreement: ${message}`);
  process.exit(1);
}

if (!existsSync(join(corpus, 'MANIFEST.json'))) {
  fail(`the KICS corpus is missing at ${corpus}; set INFRAPRIME_KICS_DIR to its folder`);
}
if (!existsSync(join(project, 'dist', 'audit', 'engine.js'))) {
  fail('dist/audit/engine.js is missing; run `npm run build` first');
}

const files = readdirSync(sources)
  .filter((name) => name.endsWith('.ts'))
  .map((name) => join(sources, name));
const tsc = spawnSync(
  process.execPath,
  [
    join(project, 'node_modules', 'typescript', 'bin', 'tsc'),
    ...['--outDir', compiled, '--rootDir', sources, '--target', 'ES2022'],
    ...['--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--types', 'node'],
    ...['--strict', '--noUncheckedIndexedAccess', '--skipLibCheck', '--resolveJsonModule'],
    ...files,
  ],
  { encoding: 'utf8' },
);
if (tsc.status !== 0) fail(`tsc failed on test/kics:\n${tsc.stdout}${tsc.stderr}`);

const load = (path) => import(pathToFileURL(path).href);
const { auditPath } = await load(join(project, 'dist', 'audit', 'engine.js'));
const { allRules } = await load(join(project, 'dist', 'audit', 'rules', 'registry.js'));
const { loadKicsQueries } = await load(join(compiled, 'corpus.js'));
const { countsByQuery, measureCorpus, renderReport } = await load(join(compiled, 'report.js'));

const reports = measureCorpus(loadKicsQueries(corpus), auditPath);
mkdirSync(join(project, 'docs'), { recursive: true });
writeFileSync(join(project, 'docs', 'kics-agreement.md'), renderReport(reports, allRules));
console.log('wrote docs/kics-agreement.md');

if (updateExpectations) {
  const path = join(sources, 'expected-counts.json');
  writeFileSync(path, `${JSON.stringify(countsByQuery(reports), null, 2)}\n`);
  console.log('wrote test/kics/expected-counts.json');
}
