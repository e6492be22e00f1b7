import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../audit/config.js';
import { assertFolder } from '../../audit/engine.js';
import { auditPathParallel } from '../../audit/parallel.js';
import { allRules } from '../../audit/rules/registry.js';
import { isSeverity, type Severity } from '../../finding/finding.js';
import { formatJson } from '../../output/json.js';
import { formatJunit } from '../../output/junit.js';
import { createReport, failingFindings } from '../../output/report.js';
import { formatSarif } from '../../output/sarif.js';
import { formatText } from '../../output/text.js';
import { UsageError } from '../errors.js';

const FORMATS = ['text', 'json', 'sarif', 'junit'] as const;
type Format = (typeof FORMATS)[number];

interface AuditFlags {
  format: string;
  failOn?: string;
  config?: string;
  ignore: boolean;
  output?: string;
  only?: string[];
  color: boolean;
  threads?: string;
}

export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description(
      'check a Docker deployment (Dockerfiles, compose, nginx, data stores, env files, CI) against the baseline',
    )
    .argument('[path]', 'folder to audit', '.')
    .option('-f, --format <format>', `output format: ${FORMATS.join(', ')}`, 'text')
    .option(
      '--fail-on <severity>',
      'exit 1 when a finding is at or above this severity (default: low)',
    )
    .option('-c, --config <file>', 'configuration file (default: PATH/.infraprime.yml)')
    .option(
      '--no-ignore',
      'report findings that inline comments or accepted-findings entries suppress',
    )
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .option('--only <ids...>', 'run only these rules (ids or names)')
    .option('--no-color', 'print without colour (NO_COLOR in the environment does the same)')
    .option(
      '--threads <count>',
      'worker threads for large trees of Dockerfiles (default: 1, which uses no workers)',
    )
    .action(async (path: string, flags: AuditFlags) => {
      process.exitCode = await runAudit(path, flags);
    });
}

function parseFormat(value: string): Format {
  if ((FORMATS as readonly string[]).includes(value)) return value as Format;
  throw new UsageError(`unknown format '${value}'`, `use one of: ${FORMATS.join(', ')}`);
}

function parseSeverity(value: string | undefined, fallback: Severity): Severity {
  if (value === undefined) return fallback;
  const lower = value.toLowerCase();
  if (isSeverity(lower)) return lower;
  throw new UsageError(
    `unknown severity '${value}' for --fail-on`,
    'use info, low, medium, high or critical',
  );
}

function selectRules(only: string[] | undefined) {
  if (!only?.length) return allRules;
  const wanted = only.flatMap((item) => item.split(',')).map((item) => item.trim().toUpperCase());
  for (const id of wanted) {
    if (!allRules.some((rule) => rule.id === id || rule.name.toUpperCase() === id)) {
      throw new UsageError(
        `unknown rule '${id}' in --only`,
        'run `infraprime rules` to list rule ids',
      );
    }
  }
  return allRules.filter(
    (rule) => wanted.includes(rule.id) || wanted.includes(rule.name.toUpperCase()),
  );
}

/** Shows a progress line on a terminal once a run takes longer than half a second. */
function progressReporter(): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  const started = Date.now();
  let shown = 0;
  return (done, total) => {
    const now = Date.now();
    if (now - started < 500 || now - shown < 100) return;
    shown = now;
    process.stderr.write(`\rreading files: ${done}/${total}`);
  };
}

function parseThreads(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const count = Number(value);
  if (Number.isInteger(count) && count >= 1 && count <= 64) return count;
  throw new UsageError(`invalid thread count '${value}'`, 'pass a whole number from 1 to 64');
}

async function runAudit(path: string, flags: AuditFlags): Promise<number> {
  const format = parseFormat(flags.format);
  // The folder is checked before its configuration file, so an unreadable folder is named as such.
  assertFolder(resolve(path), path);
  const config = loadConfig(path, flags.config);
  const threshold = parseSeverity(flags.failOn, config.failOn ?? 'low');
  const rules = selectRules(flags.only);
  const progress = progressReporter();
  const threads = parseThreads(flags.threads);
  const result = await auditPathParallel(path, {
    ...(threads ? { threads } : {}),
    config,
    noIgnore: !flags.ignore,
    rules,
    ...(progress ? { onProgress: progress } : {}),
  });
  if (progress) process.stderr.write('\r\u001b[K');

  const report = createReport(result.root, result.kinds.size, result.findings);
  const reported = [
    ...rules,
    ...allRules.filter((rule) => rule.target === 'core' && !rules.includes(rule)),
  ];
  const toFile = flags.output !== undefined;
  let output: string;
  if (format === 'json') output = formatJson(report);
  else if (format === 'sarif') output = formatSarif(report, reported);
  else if (format === 'junit') output = formatJunit(report, reported);
  else {
    const terminal = !toFile && process.stdout.isTTY === true;
    output = formatText(report, {
      frames: terminal,
      color: terminal && flags.color && !process.env.NO_COLOR,
      source: (file) => result.files.get(file),
      rules: new Map(allRules.map((rule) => [rule.id, rule])),
      durationMs: result.durationMs,
    });
  }
  if (toFile) writeReport(flags.output!, output);
  else process.stdout.write(output);

  if (failingFindings(result.findings, threshold).length > 0) return 1;
  return result.inputErrors > 0 ? 2 : 0;
}

function writeReport(path: string, output: string): void {
  try {
    writeFileSync(path, output);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(
      `cannot write the report to '${path}' (${code})`,
      'pass --output a file path in a folder that exists and that you can write to',
    );
  }
}
