import type { Rule } from '../audit/rules/rule.js';
import type { SourceFile } from '../audit/source.js';
import type { Finding, Severity } from '../finding/finding.js';
import { SEVERITIES } from '../finding/finding.js';
import type { AuditReport } from './report.js';

export interface TextOptions {
  /** Code frames and notes; false prints one line per finding. */
  frames: boolean;
  color: boolean;
  /** Looks up the file text for code frames. */
  source: (path: string) => SourceFile | undefined;
  rules: ReadonlyMap<string, Rule>;
  durationMs?: number;
}

const CODES = { red: 31, yellow: 33, cyan: 36, dim: 2, bold: 1, magenta: 35 } as const;
type Style = keyof typeof CODES;

const SEVERITY_STYLE: Record<Severity, Style> = {
  critical: 'magenta',
  high: 'red',
  medium: 'yellow',
  low: 'cyan',
  info: 'dim',
};

/** Formats findings for a person: code frames on a terminal, one line each elsewhere. */
export function formatText(report: AuditReport, options: TextOptions): string {
  const paint = (style: Style, text: string) =>
    options.color ? `\u001b[${CODES[style]}m${text}\u001b[0m` : text;
  const active = report.findings.filter((finding) => !finding.suppression);
  const blocks = active.map((finding) =>
    options.frames ? frameBlock(finding, options, paint) : headline(finding, paint),
  );
  const body = blocks.join(options.frames ? '\n\n' : '\n');
  const summary = summaryLine(report, options.durationMs);
  return `${body}${body ? '\n' : ''}${options.frames && body ? '\n' : ''}${summary}\n`;
}

/**
 * Control characters and bidirectional overrides, which a file name, a service name or a line of
 * an audited file could use to move the cursor, clear the screen or reorder the text shown.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Replaces unprintable characters with `\uXXXX`, so one finding stays one line of plain text. */
export function printable(text: string): string {
  return text.replace(
    UNPRINTABLE,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function headline(finding: Finding, paint: (style: Style, text: string) => string): string {
  const at = finding.location;
  const where = at ? `${printable(at.path)}:${at.startLine}:${at.startColumn}` : '(no file)';
  return `${paint('bold', where)}  ${finding.ruleId}  ${paint(SEVERITY_STYLE[finding.severity], finding.severity)}  ${printable(finding.message)}`;
}

function frameBlock(
  finding: Finding,
  options: TextOptions,
  paint: (style: Style, text: string) => string,
): string {
  const lines = [headline(finding, paint)];
  const at = finding.location;
  const file = at ? options.source(at.path) : undefined;
  if (at && file) lines.push(codeFrame(file, at, paint));
  const rule = options.rules.get(finding.ruleId);
  if (finding.related?.length) {
    for (const related of finding.related) {
      const place = related.location;
      lines.push(
        `  ${paint('dim', 'related:')} ${printable(place.path)}:${place.startLine}:${place.startColumn} ${printable(related.message)}`,
      );
    }
  }
  if (rule) {
    lines.push(`  ${paint('bold', 'note:')} ${firstSentence(rule.rationale)}`);
    lines.push(`  ${paint('bold', 'help:')} ${rule.fix}`);
    lines.push(`  ${paint('dim', `docs: infraprime explain ${rule.id}`)}`);
  }
  return lines.join('\n');
}

/** Renders two lines of context around the location, with an underline on the first line. */
export function codeFrame(
  file: SourceFile,
  at: NonNullable<Finding['location']>,
  paint: (style: Style, text: string) => string = (_, text) => text,
): string {
  const all = file.lines;
  const first = Math.max(1, at.startLine - 2);
  const last = Math.min(all.length, at.endLine + 2, at.startLine + 6);
  const width = String(last).length;
  const out: string[] = [];
  for (let line = first; line <= last; line++) {
    const text = printable((all[line - 1] ?? '').replace(/\t/g, '  ').slice(0, 200));
    const marker = line === at.startLine ? paint('red', '>') : ' ';
    out.push(`${marker} ${String(line).padStart(width)} | ${text}`);
    if (line === at.startLine) {
      const raw = all[line - 1] ?? '';
      const before = printable(raw.slice(0, at.startColumn - 1).replace(/\t/g, '  ')).length;
      const endColumn = at.endLine === at.startLine ? at.endColumn : raw.length + 1;
      const span = Math.max(1, Math.min(200, endColumn - at.startColumn));
      out.push(`  ${' '.repeat(width)} | ${' '.repeat(before)}${paint('red', '^'.repeat(span))}`);
    }
  }
  return out.join('\n');
}

function firstSentence(text: string): string {
  const end = text.search(/\.(\s|$)/);
  return end === -1 ? text : text.slice(0, end + 1);
}

function summaryLine(report: AuditReport, durationMs?: number): string {
  const { summary } = report;
  const parts = [...SEVERITIES]
    .reverse()
    .filter((severity) => summary.bySeverity[severity] > 0)
    .map((severity) => `${summary.bySeverity[severity]} ${severity}`);
  const counted = summary.findings === 1 ? '1 finding' : `${summary.findings} findings`;
  const detail = parts.length ? ` (${parts.join(', ')})` : '';
  const suppressed = summary.suppressed ? `, ${summary.suppressed} suppressed` : '';
  const files = summary.files === 1 ? '1 file' : `${summary.files} files`;
  const time = durationMs === undefined ? '' : ` in ${Math.round(durationMs)} ms`;
  return `${counted}${detail}${suppressed}; ${files} audited${time}`;
}
