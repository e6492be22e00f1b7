import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../cli/errors.js';
import {
  compareFindings,
  type Finding,
  fingerprintOf,
  type Layer,
  type Location,
} from '../finding/finding.js';
import { type Acceptance, type AuditConfig, EMPTY_CONFIG } from './config.js';
import { type BuildResult, buildModel, type Discovery } from './model/build.js';
import type { FileKind } from './model/types.js';
import {
  expiredAcceptance,
  inputError,
  parseError,
  suppressionWithoutReason,
} from './rules/core/index.js';
import { allRules } from './rules/registry.js';
import type { Report, Rule } from './rules/rule.js';
import type { SourceFile } from './source.js';
import { findInlineSuppressions, type InlineSuppression } from './suppress.js';

export interface AuditOptions {
  config?: AuditConfig;
  /** Reports suppressed findings as if no suppression existed. */
  noIgnore?: boolean;
  rules?: readonly Rule[];
  /** Clock for acceptance expiry. */
  now?: Date;
  onProgress?: (done: number, total: number) => void;
  /** Files already discovered under the root, as `discover` returns them. */
  discovery?: Discovery;
}

export interface AuditResult {
  root: string;
  /** Every finding, sorted; suppressed ones carry `suppression`. */
  findings: Finding[];
  /** Deployment files read, by kind. */
  kinds: Map<string, FileKind>;
  /** Text of every file read, for code frames. */
  files: Map<string, SourceFile>;
  /** True when a file could not be read or parsed, which makes the exit code 2 at most. */
  inputErrors: number;
  durationMs: number;
}

const LAYER_OF_KIND: Partial<Record<FileKind, Layer>> = {
  dockerfile: 'container',
  compose: 'network',
  nginx: 'proxy',
  'postgresql-conf': 'data',
  'pg-hba': 'data',
  'redis-conf': 'data',
  env: 'data',
  'github-workflow': 'vulnerability-management',
  'gitlab-ci': 'vulnerability-management',
};

/** Audits the deployment under `root`: builds the model, runs every enabled rule, applies suppressions. */
export function auditPath(root: string, options: AuditOptions = {}): AuditResult {
  const started = performance.now();
  const absolute = resolve(root);
  assertFolder(absolute, root);
  const config = options.config ?? EMPTY_CONFIG;
  const built = buildModel(absolute, {
    ignore: config.ignore,
    ...(config.composeProjects ? { composeProjects: config.composeProjects } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.discovery ? { discovery: options.discovery } : {}),
  });

  const findings: Finding[] = [...issueFindings(built)];
  for (const rule of options.rules ?? allRules) {
    const setting = config.rules[rule.id] ?? config.rules[rule.name.toUpperCase()];
    if (setting?.enabled === false || rule.status === 'deprecated') continue;
    runRule(rule, built, findings);
    if (setting?.severity) {
      for (const finding of findings)
        if (finding.ruleId === rule.id) finding.severity = setting.severity;
    }
  }

  const unique = deduplicate(findings);
  if (!options.noIgnore) {
    const rules = [...allRules, ...(options.rules ?? [])];
    applySuppressions(unique, built, config.accepted, options.now ?? new Date(), rules);
  }
  unique.sort(compareFindings);
  return {
    root: absolute,
    findings: unique,
    kinds: built.kinds,
    files: built.model.files,
    inputErrors: built.inputIssues.length + built.parseIssues.length,
    durationMs: performance.now() - started,
  };
}

export function assertFolder(absolute: string, written: string): void {
  let isFolder = false;
  try {
    isFolder = statSync(absolute).isDirectory();
  } catch {
    throw new UsageError(
      `path '${written}' does not exist`,
      'pass the folder of a repository, such as `infraprime audit .`',
    );
  }
  if (!isFolder) {
    throw new UsageError(
      `path '${written}' is a file, not a folder`,
      'pass the folder that contains it',
    );
  }
}

function toFinding(rule: Rule, report: Report): Finding {
  const finding: Finding = {
    ruleId: rule.id,
    kind: 'misconfiguration',
    severity: report.severity ?? rule.severity,
    layer: rule.layer,
    control: rule.control,
    message: report.message,
    location: report.location,
    fingerprint: fingerprintOf(rule.id, report.location.path, report.key ?? report.message),
  };
  if (report.related?.length) finding.related = report.related;
  if (report.evidence !== undefined) finding.evidence = report.evidence;
  return finding;
}

function runRule(rule: Rule, built: BuildResult, findings: Finding[]): void {
  try {
    rule.check(built.model, (report) => findings.push(toFinding(rule, report)));
  } catch (error) {
    // A crashing rule must not end the run; the finding names it as a bug with its cause.
    const detail = error instanceof Error ? error.message : String(error);
    findings.push({
      ruleId: rule.id,
      kind: 'input-error',
      severity: 'info',
      layer: rule.layer,
      control: rule.control,
      message: `rule ${rule.id} failed with "${detail}"; this is a bug in InfraPrime, please report it`,
      fingerprint: fingerprintOf(rule.id, '', `crash:${detail}`),
    });
  }
}

function issueFindings(built: BuildResult): Finding[] {
  const findings: Finding[] = [];
  for (const issue of built.parseIssues) {
    const kind = built.kinds.get(issue.location.path);
    findings.push({
      ruleId: parseError.id,
      kind: 'parse-error',
      severity: parseError.severity,
      layer: (kind && LAYER_OF_KIND[kind]) ?? 'checklist',
      control: parseError.control,
      message: `${issue.message}; help: ${issue.help}`,
      location: issue.location,
      fingerprint: fingerprintOf(parseError.id, issue.location.path, issue.message),
    });
  }
  for (const issue of built.inputIssues) {
    const location: Location = {
      path: issue.path,
      startLine: 1,
      startColumn: 1,
      endLine: 1,
      endColumn: 1,
    };
    findings.push({
      ruleId: inputError.id,
      kind: 'input-error',
      severity: inputError.severity,
      layer: 'checklist',
      control: inputError.control,
      message: `${issue.message}; help: ${issue.help}`,
      location,
      fingerprint: fingerprintOf(inputError.id, issue.path, issue.message),
    });
  }
  return findings;
}

/** Drops exact repeats, which arise when one file belongs to several compose projects. */
export function deduplicate(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((finding) => {
    const at = finding.location;
    const key = `${finding.ruleId}|${at?.path}|${at?.startLine}|${at?.startColumn}|${finding.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function applySuppressions(
  findings: Finding[],
  built: BuildResult,
  accepted: Acceptance[],
  now: Date,
  rules: readonly Rule[],
): void {
  const inlineByFile = new Map<string, InlineSuppression[]>();
  const inlineOf = (path: string): InlineSuppression[] => {
    let list = inlineByFile.get(path);
    if (!list) {
      const file = built.model.files.get(path);
      list = file ? findInlineSuppressions(file) : [];
      inlineByFile.set(path, list);
      for (const suppression of list) {
        if (suppression.reason === '') findings.push(missingReason(suppression));
      }
    }
    return list;
  };

  const expired = new Set<Acceptance>();
  const names = new Map(rules.map((rule) => [rule.id, rule.name.toUpperCase()]));
  for (const finding of [...findings]) {
    const at = finding.location;
    if (!at || finding.ruleId === suppressionWithoutReason.id) continue;
    const ids = [finding.ruleId, names.get(finding.ruleId)];
    const inline = inlineOf(at.path).find(
      (s) =>
        s.reason !== '' && s.targetLine === at.startLine && s.rules.some((r) => ids.includes(r)),
    );
    if (inline) {
      finding.suppression = { kind: 'inline', reason: inline.reason };
      continue;
    }
    const acceptance = accepted.find((entry) => matchesAcceptance(entry, finding));
    if (!acceptance) continue;
    if (Date.parse(acceptance.expires) + 86_400_000 > now.getTime()) {
      finding.suppression = {
        kind: 'accepted',
        reason: acceptance.reason,
        expires: acceptance.expires,
      };
    } else {
      expired.add(acceptance);
    }
  }
  for (const acceptance of expired) findings.push(expiryNotice(acceptance));
}

function matchesAcceptance(entry: Acceptance, finding: Finding): boolean {
  if (entry.rule !== finding.ruleId) return false;
  if (entry.path !== undefined && entry.path !== finding.location?.path) return false;
  return entry.fingerprint === undefined || entry.fingerprint === finding.fingerprint;
}

function missingReason(suppression: InlineSuppression): Finding {
  return {
    ruleId: suppressionWithoutReason.id,
    kind: 'misconfiguration',
    severity: suppressionWithoutReason.severity,
    layer: suppressionWithoutReason.layer,
    control: suppressionWithoutReason.control,
    message: `suppression of ${suppression.rules.join(', ')} has no reason, so it is not applied`,
    location: suppression.location,
    fingerprint: fingerprintOf(
      suppressionWithoutReason.id,
      suppression.location.path,
      suppression.rules.join(','),
    ),
  };
}

function expiryNotice(acceptance: Acceptance): Finding {
  const { path, line } = acceptance.source;
  return {
    ruleId: expiredAcceptance.id,
    kind: 'misconfiguration',
    severity: expiredAcceptance.severity,
    layer: expiredAcceptance.layer,
    control: expiredAcceptance.control,
    message: `acceptance of ${acceptance.rule}${acceptance.path ? ` in '${acceptance.path}'` : ''} expired on ${acceptance.expires}, so its findings are reported again`,
    location: { path, startLine: line, startColumn: 1, endLine: line, endColumn: 1 },
    fingerprint: fingerprintOf(
      expiredAcceptance.id,
      path,
      `${acceptance.rule}:${acceptance.expires}`,
    ),
  };
}
