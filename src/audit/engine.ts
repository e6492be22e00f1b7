import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../cli/errors.js';
import {
  compareFindings,
  type Finding,
  fingerprintOf,
  type Layer,
  type Location,
  type Severity,
} from '../finding/finding.js';
import { type Acceptance, type AuditConfig, EMPTY_CONFIG } from './config.js';
import { type BuildResult, buildModel, type Discovery, ignoreMatcher } from './model/build.js';
import type { DeploymentModel, FileKind, ParseIssue } from './model/types.js';
import { parseDockerfile } from './parsers/dockerfile.js';
import {
  expiredAcceptance,
  inputError,
  parseError,
  suppressionWithoutReason,
} from './rules/core/index.js';
import { unlistedAclFiles } from './rules/redis/helpers.js';
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
  /**
   * Checks the Dockerfiles that no compose service builds one at a time, the default for the
   * registered rules. False keeps every Dockerfile in the model for the whole run, and the
   * registered rules find the same either way.
   */
  separateStandalone?: boolean;
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
  'redis-acl': 'data',
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
    // A rule from outside the registry may compare Dockerfiles, or read them from a rule of
    // another target, so it gets the whole model.
    separateStandalone:
      options.separateStandalone ?? !options.rules?.some((rule) => !allRules.includes(rule)),
  });

  addUnlistedAclFiles(built);
  const findings: Finding[] = [...issueFindings(built)];
  const rules = enabledRules(options.rules ?? allRules, config);
  for (const rule of rules) runRule(rule, built.model, findings);
  checkStandaloneDockerfiles(
    built,
    rules.filter((rule) => rule.rule.target === 'dockerfile'),
    findings,
  );
  const inputErrors = built.inputIssues.length + built.parseIssues.length;

  // A compose file may build or mount a file under an ignored path, which is then read for the
  // model, but the user asked for no findings there.
  const ignored = ignoreMatcher(config.ignore);
  const unique = deduplicate(findings).filter(
    (finding) => finding.location === undefined || !ignored(finding.location.path),
  );
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
    inputErrors,
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
  try {
    accessSync(absolute, constants.R_OK | constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(
      `cannot read the folder '${written}' (${code})`,
      'give the user running InfraPrime read and search permission on it',
    );
  }
}

/** A rule to run, with the severity that `.infraprime.yml` gives it, if any. */
interface EnabledRule {
  rule: Rule;
  severity: Severity | undefined;
}

function enabledRules(rules: readonly Rule[], config: AuditConfig): EnabledRule[] {
  const enabled: EnabledRule[] = [];
  for (const rule of rules) {
    const setting = config.rules[rule.id] ?? config.rules[rule.name.toUpperCase()];
    if (setting?.enabled === false || rule.status === 'deprecated') continue;
    enabled.push({ rule, severity: setting?.severity });
  }
  return enabled;
}

/**
 * Checks the Dockerfiles that no compose service builds one at a time, each in a model of its
 * own that shares everything else with the whole model. Dockerfile rules judge each Dockerfile
 * on its own, so the findings are those of one whole-model run. Each Dockerfile's instructions
 * can then be freed as soon as it is checked. Keeping thousands of parsed Dockerfiles
 * alive until the end made garbage collection the largest cost of a large audit.
 */
function checkStandaloneDockerfiles(
  built: BuildResult,
  rules: EnabledRule[],
  findings: Finding[],
): void {
  for (const path of built.standaloneDockerfiles) {
    const file = built.model.files.get(path);
    if (!file) continue;
    const dockerfile = parseDockerfile(file);
    for (const issue of dockerfile.issues) {
      built.parseIssues.push(issue);
      findings.push(parseIssueFinding(issue, built.kinds));
    }
    const single: DeploymentModel = { ...built.model, dockerfiles: [dockerfile] };
    for (const rule of rules) runRule(rule, single, findings);
  }
}

function toFinding(enabled: EnabledRule, report: Report): Finding {
  const rule = enabled.rule;
  const finding: Finding = {
    ruleId: rule.id,
    kind: 'misconfiguration',
    severity: enabled.severity ?? report.severity ?? rule.severity,
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

/**
 * Adds the ACL files that Redis servers load under names the walk does not recognize, so lines
 * that stop Redis from starting are reported in them as in any `.acl` file.
 */
function addUnlistedAclFiles(built: BuildResult): void {
  for (const acl of unlistedAclFiles(built.model)) {
    built.model.redisAcls.push(acl);
    built.model.files.set(acl.file.path, acl.file);
    built.kinds.set(acl.file.path, 'redis-acl');
    built.parseIssues.push(...acl.issues);
  }
}

function runRule(enabled: EnabledRule, model: DeploymentModel, findings: Finding[]): void {
  const rule = enabled.rule;
  try {
    rule.check(model, (report) => findings.push(toFinding(enabled, report)));
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
  for (const issue of built.parseIssues) findings.push(parseIssueFinding(issue, built.kinds));
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

function parseIssueFinding(issue: ParseIssue, kinds: Map<string, FileKind>): Finding {
  const kind = kinds.get(issue.location.path);
  return {
    ruleId: parseError.id,
    kind: 'parse-error',
    severity: parseError.severity,
    layer: (kind && LAYER_OF_KIND[kind]) ?? 'checklist',
    control: parseError.control,
    message: `${issue.message}; help: ${issue.help}`,
    location: issue.location,
    fingerprint: fingerprintOf(parseError.id, issue.location.path, issue.message),
  };
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
