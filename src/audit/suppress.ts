import type { Location } from '../finding/finding.js';
import type { SourceFile } from './source.js';

const MARKER = 'infraprime-ignore';
const DIRECTIVE = /infraprime-ignore\s+([A-Za-z0-9_-]+(?:\s*,\s*[A-Za-z0-9_-]+)*)(?:\s+(.*?))?\s*$/;

export interface InlineSuppression {
  /** Upper-case rule ids or names. */
  rules: string[];
  reason: string;
  /** The line whose findings it suppresses. */
  targetLine: number;
  location: Location;
}

/**
 * Finds `# infraprime-ignore RULE[,RULE] reason` comments. A comment at the end of a line covers
 * that line; a comment on a line of its own covers the next line that is not a comment.
 */
export function findInlineSuppressions(file: SourceFile): InlineSuppression[] {
  if (!file.text.includes(MARKER)) return [];
  const lines = file.lines;
  const found: InlineSuppression[] = [];

  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    const hash = commentStart(line);
    if (hash === -1) continue;
    const match = DIRECTIVE.exec(line.slice(hash));
    if (!match) continue;
    const fullLine = line.slice(0, hash).trim() === '';
    let target = index + 1;
    if (fullLine) {
      target = index + 2;
      while (
        target <= lines.length &&
        commentStart(lines[target - 1]!) === indentOf(lines[target - 1]!)
      ) {
        target++;
      }
    }
    found.push({
      rules: match[1]!.split(',').map((rule) => rule.trim().toUpperCase()),
      reason: (match[2] ?? '').replace(/^[-:—\s]+/, '').trim(),
      targetLine: target,
      location: {
        path: file.path,
        startLine: index + 1,
        startColumn: hash + 1,
        endLine: index + 1,
        endColumn: line.trimEnd().length + 1,
      },
    });
  }
  return found;
}

/** Returns the index of the `#` that starts a comment on the line, or -1. */
function commentStart(line: string): number {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quote) {
      if (char === '\\') i++;
      else if (char === quote) quote = '';
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '#' && (i === 0 || /\s/.test(line[i - 1]!))) {
      return i;
    }
  }
  return -1;
}

function indentOf(line: string): number {
  return line.trim() === '' ? -2 : line.length - line.trimStart().length;
}
