#!/usr/bin/env node
// Audits every project of ../shared/corpus/awesome-compose one by one, then the whole corpus
// folder at once, and prints Markdown totals for docs/corpus.md: files by kind, findings by
// severity and by rule, parse errors, rule crashes and wall time. Run `npm run build` first.
//
// RUNS sets how many timed whole-corpus runs the median is taken over (default 5).
// INFRAPRIME_DIST runs another build output instead of dist/, such as one made with
// `npx tsc -p tsconfig.json --outDir /tmp/ip/dist` next to a copy of package.json, so that a
// rebuild of dist/ by someone else during the run cannot make a project fail to load.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const project = join(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = join(project, '..', 'shared', 'corpus', 'awesome-compose');
const dist = resolve(process.env.INFRAPRIME_DIST ?? join(project, 'dist'));
const runs = Number(process.env.RUNS ?? 5);
const severities = ['critical', 'high', 'medium', 'low', 'info'];

// Runs the CLI of `dist` the way bin/infraprime.js does.
const cliUrl = pathToFileURL(join(dist, 'cli', 'main.js')).href;
const entry = `const { main } = await import(${JSON.stringify(cliUrl)});
process.exitCode = await main(process.argv.slice(1));`;

function runCli(args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', entry, ...args], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return { ...result, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

/** Returns the first stderr line that names an error, or the first line when none does. */
function errorLine(stderr) {
  const lines = stderr.split('\n').filter((line) => line.trim() !== '');
  return (lines.find((line) => /\w*Error\b|error:/.test(line)) ?? lines[0] ?? 'no output').trim();
}

/** Parses a JSON report, or returns undefined when the run crashed (exit code above 2). */
function reportOf(result) {
  if (result.status === null || result.status > 2 || !result.stdout.startsWith('{'))
    return undefined;
  return JSON.parse(result.stdout);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Findings that are not misconfigurations: parse errors, unreadable files and rule crashes. */
function problemsOf(report) {
  return report.findings.filter((finding) => finding.kind !== 'misconfiguration');
}

const projects = readdirSync(corpus)
  .filter((name) => statSync(join(corpus, name)).isDirectory())
  .sort();

const rows = [];
let crashes = 0;
for (const name of projects) {
  const result = runCli(['audit', join(corpus, name), '--format', 'json']);
  const report = reportOf(result);
  if (!report) {
    crashes++;
    rows.push(`| ${name} | crashed (exit ${result.status}): ${errorLine(result.stderr)} | | | | |`);
    continue;
  }
  const counts = severities.map((s) => report.summary.bySeverity[s]).join(' / ');
  const problems = problemsOf(report).length;
  const { files, findings } = report.summary;
  rows.push(
    `| ${name} | ${files} | ${findings} | ${counts} | ${problems} | ${Math.round(result.ms)} |`,
  );
}

const whole = runCli(['audit', corpus, '--format', 'json']);
const report = reportOf(whole);
if (!report) {
  console.error(`the whole-corpus run crashed (exit ${whole.status}): ${errorLine(whole.stderr)}`);
  process.exit(1);
}

const times = [];
for (let i = 0; i < runs; i++) times.push(runCli(['audit', corpus, '--format', 'json']).ms);

const { auditPath } = await import(pathToFileURL(join(dist, 'audit', 'engine.js')).href);
const kinds = new Map();
for (const kind of auditPath(corpus).kinds.values()) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
const inProcess = [];
for (let i = 0; i < runs; i++) inProcess.push(auditPath(corpus).durationMs);

const byRule = new Map();
for (const finding of report.findings) {
  if (finding.suppression) continue;
  byRule.set(finding.ruleId, (byRule.get(finding.ruleId) ?? 0) + 1);
}

const kindList = [...kinds].sort(([a], [b]) => (a < b ? -1 : 1));
const severityCounts = severities.map((s) => report.summary.bySeverity[s]).join(' / ');
const rounded = times.map((ms) => Math.round(ms));
console.log(`${projects.length} projects; ${crashes} per-project runs crashed.\n`);
console.log(
  `Whole corpus: ${report.summary.files} files (${kindList.map(([k, n]) => `${n} ${k}`).join(', ')}), ` +
    `${report.summary.findings} findings, exit code ${whole.status}.\n`,
);
console.log(`Findings by severity (critical / high / medium / low / info): ${severityCounts}\n`);
console.log(
  `Wall time of \`node bin/infraprime.js audit <corpus> --format json\`, median of ${runs} runs: ` +
    `${Math.round(median(times))} ms (min ${Math.min(...rounded)}, max ${Math.max(...rounded)}; ` +
    `Node ${process.versions.node}, ${cpus().length} CPUs, load average ${loadavg()
      .map((n) => n.toFixed(1))
      .join(' ')} at the end).\n`,
);

console.log(
  `In-process \`auditPath\` of the whole corpus after one warm-up run, median of ${runs}: ` +
    `${Math.round(median(inProcess))} ms.\n`,
);

const problems = problemsOf(report);
console.log(`Parse errors, unreadable files and rule crashes: ${problems.length}`);
for (const finding of problems) {
  console.log(
    `- ${finding.ruleId} ${finding.kind} ${finding.location?.path ?? ''}: ${finding.message}`,
  );
}

console.log(
  '\n| project | files | findings | C / H / M / L / I | parse or input errors | ms (one run, with Node start-up) |',
);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(row);

console.log('\n| rule | findings |\n| --- | --- |');
for (const [rule, count] of [...byRule].sort(([a], [b]) => (a < b ? -1 : 1))) {
  console.log(`| ${rule} | ${count} |`);
}
