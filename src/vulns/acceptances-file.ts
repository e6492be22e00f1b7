import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Acceptance } from './acceptance.js';
import { ReportError } from './report-error.js';

interface RawAcceptance {
  vulnId?: unknown;
  package?: unknown;
  image?: unknown;
  kind?: unknown;
  reason?: unknown;
  author?: unknown;
  expires?: unknown;
}

function requireString(value: unknown, field: string, where: string): string {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  throw new ReportError(`${where}: \`${field}\` is required and must be a non-empty string`);
}

function toAcceptance(raw: RawAcceptance, index: number, path: string): Acceptance {
  const where = `${path}: acceptances[${index}]`;
  const expiresText = raw.expires instanceof Date ? raw.expires.toISOString() : raw.expires;
  const expiresAt = new Date(requireString(expiresText, 'expires', where));
  if (Number.isNaN(expiresAt.getTime())) {
    throw new ReportError(`${where}: \`expires\` must be a date such as 2027-01-31`);
  }
  const kind = raw.kind ?? 'risk-accepted';
  if (kind !== 'risk-accepted' && kind !== 'false-positive') {
    throw new ReportError(`${where}: \`kind\` must be risk-accepted or false-positive`);
  }
  return {
    id: `file:${index}`,
    kind,
    vulnId: requireString(raw.vulnId, 'vulnId', where),
    packageName: raw.package === undefined ? null : requireString(raw.package, 'package', where),
    imageRepository: raw.image === undefined ? null : requireString(raw.image, 'image', where),
    reason: requireString(raw.reason, 'reason', where),
    author: typeof raw.author === 'string' ? raw.author : 'unknown',
    expiresAt,
    revokedAt: null,
  };
}

/**
 * Reads acceptances for the offline gate from YAML or JSON:
 * `acceptances: [{vulnId, package?, image?, kind?, reason, author?, expires}]`.
 */
export function loadAcceptancesFile(path: string): Acceptance[] {
  let document: unknown;
  try {
    document = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ReportError(`cannot read acceptances file ${path}: ${(error as Error).message}`);
  }
  const list = (document as { acceptances?: unknown } | null)?.acceptances;
  if (!Array.isArray(list)) {
    throw new ReportError(`${path}: expected a top-level \`acceptances\` list`);
  }
  return list.map((raw, index) => toAcceptance((raw ?? {}) as RawAcceptance, index, path));
}
