import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync } from 'node:fs';
import { basename, dirname, join, posix } from 'node:path';
import { UsageError } from '../cli/errors.js';
import { isSeverity, type Severity } from '../finding/finding.js';
import { MAX_FILE_BYTES, resolvesInside } from './discovery/read.js';
import { yamlLib } from './parsers/yaml-lib.js';
import { allRules } from './rules/registry.js';
import type { Rule } from './rules/rule.js';

export const CONFIG_FILE = '.infraprime.yml';
export const ACCEPTED_FILE = '.infraprime-accepted.yml';

export interface RuleSetting {
  enabled: boolean;
  severity?: Severity;
}

/** A finding the team accepted, until `expires` (an ISO date). */
export interface Acceptance {
  rule: string;
  /** Limits the acceptance to one file; all files when absent. */
  path?: string;
  /** Limits the acceptance to one finding. */
  fingerprint?: string;
  reason: string;
  expires: string;
  /** Where the entry is written, for the expiry notice. */
  source: { path: string; line: number };
}

export interface AuditConfig {
  rules: Record<string, RuleSetting>;
  ignore: string[];
  accepted: Acceptance[];
  failOn?: Severity;
  composeProjects?: string[][];
}

const ACCEPTANCE_KEYS = ['rule', 'path', 'fingerprint', 'reason', 'expires'];

const FORMAT_HELP = 'see the "Configuration and suppressions" section of the README for the format';

const LIST_RULES_HELP = 'run `infraprime rules` to list the rule ids and names';

export const EMPTY_CONFIG: AuditConfig = { rules: {}, ignore: [], accepted: [] };

/**
 * Loads `.infraprime.yml` and `.infraprime-accepted.yml` from the audit root, or the config
 * file given. A malformed file, or a rule not in `knownRules`, is a usage error that names the
 * file, line and key.
 */
export function loadConfig(
  root: string,
  explicitPath?: string,
  knownRules: readonly Rule[] = allRules,
): AuditConfig {
  const configPath = explicitPath ?? join(root, CONFIG_FILE);
  const config = readYaml(configPath, explicitPath !== undefined);
  const result: AuditConfig = { rules: {}, ignore: [], accepted: [] };
  if (config) applyConfig(result, config, knownRules);
  const accepted = readYaml(join(root, ACCEPTED_FILE), false);
  if (accepted) {
    const value = accepted.value;
    let list: unknown = value;
    if (isMapping(value)) {
      const unknown = Object.keys(value).find((key) => key !== 'accepted');
      if (unknown !== undefined)
        throw invalid(accepted, [unknown], 'is not a known key (accepted)');
      list = value.accepted;
    } else if (value !== null && value !== undefined && !Array.isArray(value)) {
      throw invalid(accepted, [], 'must be a list of accepted findings, or `accepted:` with one');
    }
    result.accepted.push(...parseAccepted(list, accepted, ACCEPTED_FILE, knownRules));
  }
  return result;
}

/**
 * Reads a configuration file with the checks that audited files get: a regular file of at most
 * 10 MB. A file in the audited folder must also stay inside it, so a link cannot
 * put a file such as /etc/shadow into error messages. A file given with `--config` may be
 * anywhere. Returns undefined for a missing file that is not required.
 */
function readConfigText(path: string, required: boolean): string | undefined {
  const fix = required ? 'check the --config path' : 'fix or remove the file';
  const cannotRead = (error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    return new UsageError(
      `cannot read the configuration file '${path}' (${code})`,
      code === 'EACCES' ? 'make the file readable by this user' : fix,
    );
  };
  let fd: number;
  try {
    // O_NONBLOCK keeps a named pipe from blocking the open; fstat then rejects it.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOTDIR means the audit path is a file, which the engine reports with a better message.
    if (!required && code === 'ENOTDIR') return undefined;
    if (code !== 'ENOENT') throw cannotRead(error);
    if (lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink()) {
      throw new UsageError(`configuration file '${path}' is a link to a missing file`, fix);
    }
    if (!required) return undefined;
    throw new UsageError(`configuration file '${path}' not found`, fix);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      throw new UsageError(
        `configuration file '${path}' is not a regular file`,
        'replace it with a YAML file, or remove it',
      );
    }
    if (!required && !resolvesInside(dirname(path), path)) {
      throw new UsageError(
        `configuration file '${path}' is a symbolic link out of the audited folder`,
        'pass the file it points to with --config, or replace the link with a copy',
      );
    }
    if (stats.size > MAX_FILE_BYTES) {
      throw new UsageError(
        `configuration file '${path}' is ${(stats.size / 1024 / 1024).toFixed(1)} MB, over the 10 MB limit`,
        'keep the settings and accepted findings in a smaller file',
      );
    }
    return readFileSync(fd, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw cannotRead(error);
  } finally {
    closeSync(fd);
  }
}

interface LoadedYaml {
  path: string;
  value: unknown;
  lineOf: (path: Array<string | number>) => number;
}

function readYaml(path: string, required: boolean): LoadedYaml | undefined {
  const text = readConfigText(path, required);
  if (text === undefined) return undefined;
  const { LineCounter, parseDocument } = yamlLib();
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const [firstError] = document.errors;
  if (firstError) {
    const line = lineCounter.linePos(firstError.pos[0]).line;
    if (firstError.code === 'MULTIPLE_DOCS') {
      throw new UsageError(
        `'${path}' contains a second YAML document at line ${line}`,
        `keep all settings in one document, without \`---\` lines; ${FORMAT_HELP}`,
      );
    }
    throw new UsageError(
      `invalid YAML in '${path}' at line ${line}: ${firstError.message.split('\n')[0]}`,
      `fix the syntax; ${FORMAT_HELP}`,
    );
  }
  let value: unknown;
  try {
    value = document.toJS();
  } catch (error) {
    // The yaml package stops expanding aliases that repeat too often, as an alias bomb does.
    throw new UsageError(
      `cannot read '${path}': ${(error as Error).message}`,
      `write the settings out without repeated anchors and aliases; ${FORMAT_HELP}`,
    );
  }
  return {
    path,
    value,
    lineOf: (keyPath) => {
      const node = document.getIn(keyPath, true) as
        | { range?: [number, number, number] }
        | undefined;
      return node?.range ? lineCounter.linePos(node.range[0]).line : 1;
    },
  };
}

/** True for a YAML mapping; tagged values such as `!!binary` become other objects. */
function isMapping(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function invalid(
  file: LoadedYaml,
  keyPath: Array<string | number>,
  problem: string,
  help = FORMAT_HELP,
): UsageError {
  return new UsageError(
    `${file.path}:${file.lineOf(keyPath)}: ${keyPath.length > 0 ? keyPath.join('.') : 'the file'} ${problem}`,
    help,
  );
}

function applyConfig(result: AuditConfig, file: LoadedYaml, knownRules: readonly Rule[]): void {
  const value = file.value ?? {};
  if (!isMapping(value)) throw invalid(file, [], 'must be a mapping');
  const config = value;

  for (const key of Object.keys(config)) {
    if (!['rules', 'ignore', 'accepted', 'fail-on', 'compose-projects'].includes(key)) {
      throw invalid(
        file,
        [key],
        'is not a known key (rules, ignore, accepted, fail-on, compose-projects)',
      );
    }
  }
  if (config.rules !== undefined) result.rules = parseRuleSettings(config.rules, file, knownRules);
  if (config.ignore !== undefined) {
    if (!isStringList(config.ignore)) throw invalid(file, ['ignore'], 'must be a list of globs');
    result.ignore = config.ignore;
  }
  if (config['fail-on'] !== undefined) {
    const failOn = severityOf(config['fail-on']);
    if (!failOn) throw invalid(file, ['fail-on'], 'must be info, low, medium, high or critical');
    result.failOn = failOn;
  }
  if (config['compose-projects'] !== undefined) {
    const projects = config['compose-projects'];
    if (!Array.isArray(projects) || !projects.every(isStringList)) {
      throw invalid(file, ['compose-projects'], 'must be a list of lists of compose file paths');
    }
    const empty = projects.findIndex((project) => project.length === 0);
    if (empty !== -1) {
      throw invalid(file, ['compose-projects', empty], 'must name at least one compose file');
    }
    result.composeProjects = projects as string[][];
  }
  if (config.accepted !== undefined)
    result.accepted.push(...parseAccepted(config.accepted, file, CONFIG_FILE, knownRules));
}

function parseRuleSettings(
  value: unknown,
  file: LoadedYaml,
  knownRules: readonly Rule[],
): Record<string, RuleSetting> {
  if (!isMapping(value)) {
    throw invalid(file, ['rules'], 'must map rule ids to off, a severity, or { severity }');
  }
  const names = new Set(knownRules.flatMap((rule) => [rule.id, rule.name.toUpperCase()]));
  const settings: Record<string, RuleSetting> = {};
  for (const [id, setting] of Object.entries(value)) {
    if (!names.has(id.toUpperCase()))
      throw invalid(file, ['rules', id], 'is not a known rule id or name', LIST_RULES_HELP);
    const severity = severityOf(
      typeof setting === 'object' && setting !== null
        ? (setting as { severity?: unknown }).severity
        : setting,
    );
    if (setting === 'off' || setting === false) settings[id.toUpperCase()] = { enabled: false };
    else if (severity) settings[id.toUpperCase()] = { enabled: true, severity };
    else {
      throw invalid(
        file,
        ['rules', id],
        'must be off, a severity (info, low, medium, high, critical) or { severity }',
      );
    }
  }
  return settings;
}

function parseAccepted(
  value: unknown,
  file: LoadedYaml,
  name: string,
  knownRules: readonly Rule[],
): Acceptance[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalid(file, ['accepted'], 'must be a list of entries');
  const base = Array.isArray(file.value) ? [] : ['accepted'];
  const ids = new Set(knownRules.map((rule) => rule.id));
  return value.map((entry, index) => {
    const at = [...base, index];
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      throw invalid(file, at, 'must be a mapping');
    // An unknown or mistyped key would otherwise widen the entry to every file or finding.
    for (const key of Object.keys(entry)) {
      if (ACCEPTANCE_KEYS.includes(key)) continue;
      throw invalid(
        file,
        [...at, key],
        'is not a known key',
        `rename it to one of ${ACCEPTANCE_KEYS.join(', ')}, or remove it`,
      );
    }
    const { rule, path, fingerprint, reason, expires } = entry as Record<string, unknown>;
    if (typeof rule !== 'string') throw invalid(file, [...at, 'rule'], 'is missing');
    if (!ids.has(rule.toUpperCase()))
      throw invalid(file, [...at, 'rule'], `'${rule}' is not a known rule id`, LIST_RULES_HELP);
    if (path !== undefined && typeof path !== 'string') {
      throw invalid(
        file,
        [...at, 'path'],
        'must be a file path relative to the audited folder, such as sub/Dockerfile',
        'write one path per entry, and repeat the entry for each file',
      );
    }
    if (fingerprint !== undefined && typeof fingerprint !== 'string') {
      throw invalid(
        file,
        [...at, 'fingerprint'],
        'must be the fingerprint of one finding, as a quoted string',
        'copy the fingerprint from the JSON output of `infraprime audit --format json`',
      );
    }
    if (typeof reason !== 'string' || reason.trim() === '')
      throw invalid(file, [...at, 'reason'], 'is missing; every accepted finding needs a reason');
    const expiry = calendarDate(expires);
    if (expiry === undefined) {
      throw invalid(
        file,
        [...at, 'expires'],
        'must be a date written as YYYY-MM-DD, such as 2027-01-31',
      );
    }
    return {
      rule: rule.toUpperCase(),
      ...(typeof path === 'string' ? { path: posix.normalize(path) } : {}),
      ...(typeof fingerprint === 'string' ? { fingerprint } : {}),
      reason,
      expires: expiry,
      source: { path: name, line: file.lineOf(at) },
    };
  });
}

/** Returns a YYYY-MM-DD date unchanged when that day exists, and undefined otherwise. */
function calendarDate(value: unknown): string | undefined {
  const text = value instanceof Date ? value.toISOString().slice(0, 10) : value;
  if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  // Date takes days up to 31 in any month and rolls 30 February over to March, so compare back.
  const date = new Date(`${text}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return undefined;
  return date.toISOString().slice(0, 10) === text ? text : undefined;
}

/** Reads a severity written in any case, as the --fail-on option does. */
function severityOf(value: unknown): Severity | undefined {
  const lower = typeof value === 'string' ? value.toLowerCase() : value;
  return isSeverity(lower) ? lower : undefined;
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
