import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { UsageError } from '../cli/errors.js';
import { type Severity, isSeverity } from '../finding/finding.js';

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

export const EMPTY_CONFIG: AuditConfig = { rules: {}, ignore: [], accepted: [] };

/**
 * Loads `.infraprime.yml` and `.infraprime-accepted.yml` from the audit root, or the config
 * file given. A malformed file is a usage error that names the file, line and key.
 */
export function loadConfig(root: string, explicitPath?: string): AuditConfig {
  const configPath = explicitPath ?? join(root, CONFIG_FILE);
  const config = readYaml(configPath, explicitPath !== undefined);
  const result: AuditConfig = { rules: {}, ignore: [], accepted: [] };
  if (config) applyConfig(result, config);
  const accepted = readYaml(join(root, ACCEPTED_FILE), false);
  if (accepted) {
    const list = Array.isArray(accepted.value)
      ? accepted.value
      : (accepted.value as { accepted?: unknown })?.accepted;
    result.accepted.push(...parseAccepted(list, accepted, ACCEPTED_FILE));
  }
  return result;
}

interface LoadedYaml {
  path: string;
  value: unknown;
  lineOf: (path: Array<string | number>) => number;
}

function readYaml(path: string, required: boolean): LoadedYaml | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`cannot read the configuration file '${path}'`, 'check the --config path');
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const [firstError] = document.errors;
  if (firstError) {
    const line = lineCounter.linePos(firstError.pos[0]).line;
    throw new UsageError(
      `invalid YAML in '${path}' at line ${line}: ${firstError.message.split('\n')[0]}`,
      'fix the syntax; see docs/configuration.md for the format',
    );
  }
  return {
    path,
    value: document.toJS(),
    lineOf: (keyPath) => {
      const node = document.getIn(keyPath, true) as
        | { range?: [number, number, number] }
        | undefined;
      return node?.range ? lineCounter.linePos(node.range[0]).line : 1;
    },
  };
}

function invalid(file: LoadedYaml, keyPath: Array<string | number>, problem: string): UsageError {
  return new UsageError(
    `${file.path}:${file.lineOf(keyPath)}: ${keyPath.join('.')} ${problem}`,
    'see docs/configuration.md for the format of .infraprime.yml',
  );
}

function applyConfig(result: AuditConfig, file: LoadedYaml): void {
  const value = file.value ?? {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw invalid(file, [], 'must be a mapping');
  const config = value as Record<string, unknown>;

  for (const key of Object.keys(config)) {
    if (!['rules', 'ignore', 'accepted', 'fail-on', 'compose-projects'].includes(key)) {
      throw invalid(
        file,
        [key],
        'is not a known key (rules, ignore, accepted, fail-on, compose-projects)',
      );
    }
  }
  if (config.rules !== undefined) result.rules = parseRuleSettings(config.rules, file);
  if (config.ignore !== undefined) {
    if (!isStringList(config.ignore)) throw invalid(file, ['ignore'], 'must be a list of globs');
    result.ignore = config.ignore;
  }
  if (config['fail-on'] !== undefined) {
    if (!isSeverity(config['fail-on']))
      throw invalid(file, ['fail-on'], 'must be info, low, medium, high or critical');
    result.failOn = config['fail-on'];
  }
  if (config['compose-projects'] !== undefined) {
    const projects = config['compose-projects'];
    if (!Array.isArray(projects) || !projects.every(isStringList)) {
      throw invalid(file, ['compose-projects'], 'must be a list of lists of compose file paths');
    }
    result.composeProjects = projects as string[][];
  }
  if (config.accepted !== undefined)
    result.accepted.push(...parseAccepted(config.accepted, file, CONFIG_FILE));
}

function parseRuleSettings(value: unknown, file: LoadedYaml): Record<string, RuleSetting> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(file, ['rules'], 'must map rule ids to off, a severity, or { severity }');
  }
  const settings: Record<string, RuleSetting> = {};
  for (const [id, setting] of Object.entries(value)) {
    if (setting === 'off' || setting === false) settings[id.toUpperCase()] = { enabled: false };
    else if (isSeverity(setting)) settings[id.toUpperCase()] = { enabled: true, severity: setting };
    else if (
      typeof setting === 'object' &&
      setting !== null &&
      isSeverity((setting as { severity?: unknown }).severity)
    ) {
      settings[id.toUpperCase()] = {
        enabled: true,
        severity: (setting as { severity: Severity }).severity,
      };
    } else {
      throw invalid(
        file,
        ['rules', id],
        'must be off, a severity (info, low, medium, high, critical) or { severity }',
      );
    }
  }
  return settings;
}

function parseAccepted(value: unknown, file: LoadedYaml, name: string): Acceptance[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalid(file, ['accepted'], 'must be a list of entries');
  const base = Array.isArray(file.value) ? [] : ['accepted'];
  return value.map((entry, index) => {
    const at = [...base, index];
    if (typeof entry !== 'object' || entry === null) throw invalid(file, at, 'must be a mapping');
    const { rule, path, fingerprint, reason, expires } = entry as Record<string, unknown>;
    if (typeof rule !== 'string') throw invalid(file, [...at, 'rule'], 'is missing');
    if (typeof reason !== 'string' || reason.trim() === '')
      throw invalid(file, [...at, 'reason'], 'is missing; every accepted finding needs a reason');
    const expiry = expires instanceof Date ? expires.toISOString().slice(0, 10) : expires;
    if (typeof expiry !== 'string' || Number.isNaN(Date.parse(expiry))) {
      throw invalid(file, [...at, 'expires'], 'must be a date such as 2027-01-31');
    }
    return {
      rule: rule.toUpperCase(),
      ...(typeof path === 'string' ? { path } : {}),
      ...(typeof fingerprint === 'string' ? { fingerprint } : {}),
      reason,
      expires: expiry,
      source: { path: name, line: file.lineOf(at) },
    };
  });
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
