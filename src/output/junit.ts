import type { Rule } from '../audit/rules/rule.js';
import type { Finding } from '../finding/finding.js';
import type { AuditReport } from './report.js';

function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Escapes an attribute value; XML parsers turn a raw line break in an attribute into a blank. */
function escapeAttribute(text: string): string {
  return escapeXml(text).replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

/**
 * Formats the report as JUnit XML: one test suite per rule that ran, one failing test case per
 * finding and one passing case for a rule without findings, the way CI test views count them.
 */
export function formatJunit(report: AuditReport, rules: readonly Rule[]): string {
  const active = report.findings.filter((finding) => !finding.suppression);
  const byRule = new Map<string, Finding[]>();
  for (const finding of active) {
    const list = byRule.get(finding.ruleId) ?? [];
    list.push(finding);
    byRule.set(finding.ruleId, list);
  }
  const suites: string[] = [];
  for (const rule of rules) {
    const findings = byRule.get(rule.id) ?? [];
    const name = escapeAttribute(`${rule.id} ${rule.title}`);
    const cases = findings.length
      ? findings.map((finding) => failureCase(rule, finding))
      : [`    <testcase name="${name}" classname="infraprime.${rule.target}"/>`];
    suites.push(
      `  <testsuite name="${name}" tests="${cases.length}" failures="${findings.length}" errors="0">\n${cases.join('\n')}\n  </testsuite>`,
    );
  }
  const failures = active.length;
  const tests =
    suites.length === 0
      ? 0
      : rules.reduce((sum, rule) => sum + Math.max(1, byRule.get(rule.id)?.length ?? 0), 0);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="infraprime audit" tests="${tests}" failures="${failures}">\n${suites.join('\n')}\n</testsuites>\n`;
}

function failureCase(rule: Rule, finding: Finding): string {
  const at = finding.location;
  const where = at ? `${at.path}:${at.startLine}:${at.startColumn}` : rule.id;
  const name = escapeAttribute(`${where} ${rule.id}`);
  const body = escapeXml(`${where} ${finding.severity} ${finding.message}\nhelp: ${rule.fix}`);
  return `    <testcase name="${name}" classname="infraprime.${rule.target}"${at ? ` file="${escapeAttribute(at.path)}"` : ''}>\n      <failure message="${escapeAttribute(finding.message)}" type="${finding.severity}">${body}</failure>\n    </testcase>`;
}
