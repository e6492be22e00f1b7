import { pathToFileURL } from 'node:url';
import type { Rule } from '../audit/rules/rule.js';
import type { Finding, Severity } from '../finding/finding.js';
import { VERSION } from '../version.js';
import type { AuditReport } from './report.js';

const SARIF_SCHEMA =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
const DOCS_BASE = 'https://github.com/infraprime/infraprime/blob/main/docs/rules/';

/** GitHub code scanning reads `security-severity` as a CVSS-like score: 9+ critical, 7+ high. */
const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '1.0',
};

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

function pascalCase(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_, __, letter: string) => letter.toUpperCase());
}

function ruleDescriptor(rule: Rule) {
  const help = `${rule.rationale}\n\nFix: ${rule.fix}`;
  const markdown = `${rule.rationale}\n\n**Fix:** ${rule.fix}${
    rule.references.length ? `\n\n${rule.references.map((ref) => `- ${ref}`).join('\n')}` : ''
  }`;
  return {
    id: rule.id,
    name: pascalCase(rule.name),
    shortDescription: { text: rule.title.endsWith('.') ? rule.title : `${rule.title}.` },
    fullDescription: { text: rule.rationale },
    help: { text: help, markdown },
    helpUri: `${DOCS_BASE}${rule.id}.md`,
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: {
      tags: ['security', rule.target, rule.layer],
      precision: rule.status === 'experimental' ? 'medium' : 'high',
      'security-severity': SECURITY_SEVERITY[rule.severity],
      control: rule.control,
    },
  };
}

function physicalLocation(location: NonNullable<Finding['location']>) {
  return {
    physicalLocation: {
      artifactLocation: { uri: encodeURI(location.path), uriBaseId: 'SRCROOT' },
      region: {
        startLine: location.startLine,
        startColumn: location.startColumn,
        endLine: location.endLine,
        endColumn: Math.max(
          location.endColumn,
          location.endLine === location.startLine ? location.startColumn : 1,
        ),
      },
    },
  };
}

function result(finding: Finding, ruleIndex: number) {
  const text = finding.message.endsWith('.') ? finding.message : `${finding.message}.`;
  return {
    ruleId: finding.ruleId,
    ...(ruleIndex >= 0 ? { ruleIndex } : {}),
    level: LEVEL[finding.severity],
    message: { text },
    ...(finding.location ? { locations: [physicalLocation(finding.location)] } : {}),
    ...(finding.related?.length
      ? {
          relatedLocations: finding.related.map((related, id) => ({
            id,
            ...physicalLocation(related.location),
            message: { text: related.message },
          })),
        }
      : {}),
    partialFingerprints: { 'infraprimeFingerprint/v1': finding.fingerprint },
    properties: { severity: finding.severity, layer: finding.layer, control: finding.control },
    ...(finding.suppression
      ? {
          suppressions: [
            {
              kind: finding.suppression.kind === 'inline' ? 'inSource' : 'external',
              justification: finding.suppression.reason,
            },
          ],
        }
      : {}),
  };
}

/** Formats the report as SARIF 2.1.0 for GitHub code scanning and other SARIF viewers. */
export function formatSarif(report: AuditReport, rules: readonly Rule[]): string {
  const index = new Map(rules.map((rule, position) => [rule.id, position]));
  const root = pathToFileURL(report.root.endsWith('/') ? report.root : `${report.root}/`).href;
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'InfraPrime',
            semanticVersion: VERSION,
            version: VERSION,
            informationUri: 'https://github.com/infraprime/infraprime',
            rules: rules.map(ruleDescriptor),
          },
        },
        originalUriBaseIds: { SRCROOT: { uri: root } },
        invocations: [{ executionSuccessful: true, endTimeUtc: report.generatedAt }],
        columnKind: 'utf16CodeUnits',
        results: report.findings.map((finding) => result(finding, index.get(finding.ruleId) ?? -1)),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
