#!/usr/bin/env node
// Audits every project of ../shared/corpus/awesome-compose and prints Markdown totals for
// docs/corpus.md: files, findings by severity and by rule, and time. Run `npm run build` first.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const project = join(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = join(project, '..', 'shared', 'corpus', 'awesome-compose');
const bin = join(project, 'bin', 'infraprime.js');
const severities = ['critical', 'high', 'medium', 'low', 'info'];

const projects = readdirSync(corpus).filter((name) => statSync(join(corpus, name)).isDirectory()).sort();
const byRule = new Map();
const totals = Object.fromEntries(severities.map((s) => [s, 0]));
const rows = [];
let files = 0;
let crashes = 0;

for (const name of projects) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [bin, 'audit', join(corpus, name), '--format', 'json'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status === null || result.status > 2 || !result.stdout.startsWith('{')) {
    crashes++;
    rows.push(`| ${name} | crashed: ${result.stderr.split('\n')[0]} |`);
    continue;
  }
  const report = JSON.parse(result.stdout);
  files += report.summary.files;
  for (const s of severities) totals[s] += report.summary.bySeverity[s];
  for (const finding of report.findings) {
    if (finding.suppression) continue;
    byRule.set(finding.ruleId, (byRule.get(finding.ruleId) ?? 0) + 1);
  }
  const parseErrors = report.findings.filter((f) => f.kind === 'parse-error' || f.kind === 'input-error').length;
  const counts = severities.map((s) => report.summary.bySeverity[s]).join(' / ');
  rows.push(`| ${name} | ${report.summary.files} | ${report.summary.findings} | ${counts} | ${parseErrors} | ${Math.round(ms)} |`);
}

const whole = spawnSync(process.execPath, [bin, 'audit', corpus, '--format', 'json', '-o', '/dev/null']);
console.log(`${projects.length} projects, ${files} deployment files, ${crashes} crashes; exit of the whole-corpus run: ${whole.status}\n`);
console.log(`Findings by severity (critical / high / medium / low / info): ${severities.map((s) => totals[s]).join(' / ')}\n`);
console.log('| project | files | findings | C / H / M / L / I | parse or input errors | ms (with node start-up) |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(row);
console.log('\n| rule | findings |\n| --- | --- |');
for (const [rule, count] of [...byRule].sort(([a], [b]) => (a < b ? -1 : 1))) console.log(`| ${rule} | ${count} |`);
