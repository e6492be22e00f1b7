import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Severity } from '../../finding/finding.js';
import { acceptedUntil } from '../../vulns/acceptance.js';
import { loadAcceptancesFile } from '../../vulns/acceptances-file.js';
import { evaluateGate, type GateInput, type GateResult } from '../../vulns/gate.js';
import {
  applyReportLocally,
  type LocalState,
  loadLocalState,
  saveLocalState,
} from '../../vulns/local-state.js';
import { parseScanReport } from '../../vulns/parse.js';
import { ReportError } from '../../vulns/report-error.js';
import { DEFAULT_SLA_POLICY } from '../../vulns/sla.js';
import type { NormalizedReport } from '../../vulns/types.js';
import { UsageError } from '../errors.js';
import { gateThroughServer } from './vulns-server.js';

interface GateFlags {
  image?: string;
  state: string;
  acceptances?: string;
  server?: string;
  project?: string;
  format: string;
  now?: string;
}

export function registerVulns(program: Command): void {
  const vulns = program.command('vulns').description('vulnerability reports and the patch SLA');
  vulns
    .command('gate')
    .description(
      'exit 1 when a Trivy or Grype report has a finding past its patch deadline, or a critical one that is not accepted',
    )
    .argument('<report>', 'Trivy or Grype JSON report of one image')
    .option('--image <repository>', 'image repository, when the report does not name it')
    .option(
      '--state <file>',
      'local file of first-seen times, used without a server',
      '.infraprime/vulns-state.json',
    )
    .option('--acceptances <file>', 'YAML file of accepted findings, used without a server')
    .option(
      '--server <url>',
      'console URL; the report is stored there and its deadlines apply (token from INFRAPRIME_TOKEN)',
    )
    .option('--project <id>', 'console project id, with --server')
    .option('-f, --format <format>', 'output format: text or json', 'text')
    .option('--now <time>', 'evaluate deadlines at this ISO 8601 time instead of now')
    .action(async (reportPath: string, flags: GateFlags) => {
      process.exitCode = await runGate(reportPath, flags);
    });
}

async function runGate(reportPath: string, flags: GateFlags): Promise<number> {
  if (flags.format !== 'text' && flags.format !== 'json') {
    throw new UsageError(`unknown format '${flags.format}'`, 'use text or json');
  }
  const now = parseNow(flags.now);
  const report = readReport(reportPath);
  const image = flags.image ?? report.imageRepository;
  if (!image) {
    throw new UsageError(
      `the report '${reportPath}' does not name its image`,
      'pass the image repository with --image, such as --image ghcr.io/acme/api',
    );
  }

  const result = flags.server
    ? await gateThroughServer(reportPath, image, { ...flags, server: flags.server })
    : gateLocally(report, image, flags, now);
  process.stdout.write(
    flags.format === 'json' ? formatJson(result, image) : formatText(result, image, now),
  );
  return result.passed ? 0 : 1;
}

function parseNow(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) {
    throw new UsageError(
      `invalid time '${value}' for --now`,
      'use ISO 8601, such as 2026-12-04T12:00:00Z',
    );
  }
  return parsed;
}

function readReport(path: string): NormalizedReport {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(
      `cannot read report '${path}' (${code})`,
      'check the path of the scanner output',
    );
  }
  try {
    return parseScanReport(text);
  } catch (error) {
    if (!(error instanceof ReportError)) throw error;
    throw new UsageError(
      `report '${path}' is invalid: ${error.message}`,
      'pass the JSON output of `trivy image --format json` or `grype -o json`',
    );
  }
}

/** Applies the report to the local state file and evaluates the default SLA policy. */
function gateLocally(
  report: NormalizedReport,
  image: string,
  flags: GateFlags,
  now: Date,
): GateResult {
  const acceptances = flags.acceptances ? readAcceptances(flags.acceptances) : [];
  const state = readState(flags.state);
  const findings = applyReportLocally(state, report, image, now);
  writeState(flags.state, state);

  const inputs: GateInput[] = findings.map((finding) => ({
    ...finding,
    imageRepository: image,
    acceptedUntil: acceptedUntil(
      acceptances,
      { aliases: finding.aliases, packageName: finding.packageName, imageRepository: image },
      now,
    ),
  }));
  return evaluateGate(inputs, DEFAULT_SLA_POLICY, now);
}

function readAcceptances(path: string) {
  try {
    return loadAcceptancesFile(path);
  } catch (error) {
    if (!(error instanceof ReportError)) throw error;
    throw new UsageError(
      error.message,
      'fix the acceptances file; each entry needs vulnId, reason and expires',
    );
  }
}

function readState(path: string) {
  try {
    return loadLocalState(path);
  } catch (error) {
    if (error instanceof ReportError) {
      throw new UsageError(
        error.message,
        `delete '${path}' to start over; first-seen times restart from now`,
      );
    }
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(
      `cannot read state file '${path}' (${code})`,
      'pass --state a file path that you can read and write',
    );
  }
}

function writeState(path: string, state: LocalState): void {
  try {
    saveLocalState(path, state);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(
      `cannot write state file '${path}' (${code})`,
      'pass --state a file path in a folder that you can write to',
    );
  }
}

const SEVERITY_ORDER: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

function formatText(result: GateResult, image: string, now: Date): string {
  const lines: string[] = [];
  const blocking = [...result.blocking].sort(
    (a, b) =>
      SEVERITY_ORDER.indexOf(a.finding.severity) - SEVERITY_ORDER.indexOf(b.finding.severity) ||
      a.finding.vulnId.localeCompare(b.finding.vulnId),
  );
  for (const entry of blocking) {
    const { finding } = entry;
    const due = entry.dueAt ? `due ${entry.dueAt.toISOString()}` : 'no deadline';
    const fix = finding.fixedVersion ? `fixed in ${finding.fixedVersion}` : 'no fix yet';
    lines.push(
      `${finding.severity.padEnd(8)} ${finding.vulnId}  ${finding.packageName} ${finding.installedVersion} (${fix})  ${entry.reasons.join(', ')}, ${due}`,
    );
  }
  const counts = Object.entries(result.counts)
    .filter(([, count]) => count > 0)
    .map(([state, count]) => `${count} ${state.replace('_', ' ')}`)
    .join(', ');
  const verdict = result.passed
    ? `gate passed for ${image} at ${now.toISOString()}`
    : `gate failed for ${image}: ${result.blocking.length} finding(s) overdue or critical and not accepted`;
  lines.push(`${verdict} (${counts || 'no findings'})`);
  return `${lines.join('\n')}\n`;
}

function formatJson(result: GateResult, image: string): string {
  const blocking = result.blocking.map((entry) => ({
    vulnId: entry.finding.vulnId,
    packageName: entry.finding.packageName,
    installedVersion: entry.finding.installedVersion,
    fixedVersion: entry.finding.fixedVersion,
    severity: entry.finding.severity,
    state: entry.state,
    dueAt: entry.dueAt,
    reasons: entry.reasons,
  }));
  const body = {
    image,
    passed: result.passed,
    counts: result.counts,
    uncounted: result.uncounted,
    blocking,
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}
