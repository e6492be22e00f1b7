/** A line and character position as dockerfile-ast reports it, both 0-based. */
export interface AstPosition {
  line: number;
  character: number;
}

/**
 * Converts dockerfile-ast positions to string offsets. It splits lines at `\r\n`, `\r` and
 * `\n`, as the text document behind dockerfile-ast does, so a lone `\r` keeps offsets exact.
 */
export class OffsetTable {
  private readonly starts: number[] = [0];

  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === 13 && text.charCodeAt(i + 1) === 10) continue;
      if (code === 10 || code === 13) this.starts.push(i + 1);
    }
  }

  offsetAt(position: AstPosition): number {
    const start = this.starts[Math.min(Math.max(position.line, 0), this.starts.length - 1)]!;
    return Math.min(start + Math.max(position.character, 0), this.text.length);
  }
}

/** Argument text of an instruction with the source offset of each of its characters. */
export interface JoinedText {
  text: string;
  offsets: Int32Array;
  /** Offset just after the last source character read, the start of any heredoc bodies. */
  stop: number;
}

/**
 * Reads an instruction's command line from `start` as Docker does: an escape character followed
 * only by blanks before the line break continues the line, and the blank or comment lines that
 * follow a continuation are skipped. Reading stops at the first line break that is not escaped,
 * or at `end`. Trailing blanks are dropped.
 */
export function joinCommandLine(
  source: string,
  start: number,
  end: number,
  escapeChar: string,
): JoinedText {
  const chars: string[] = [];
  const offsets: number[] = [];
  let index = start;
  while (index < end) {
    const char = source[index]!;
    if (char === escapeChar) {
      const next = continuationEnd(source, index + 1, end);
      if (next !== undefined) {
        index = skipBlankAndCommentLines(source, next, end);
        continue;
      }
    }
    if (char === '\n' || char === '\r') break;
    chars.push(char);
    offsets.push(index);
    index++;
  }
  let length = chars.length;
  while (length > 0 && (chars[length - 1] === ' ' || chars[length - 1] === '\t')) length--;
  return {
    text: chars.slice(0, length).join(''),
    offsets: Int32Array.from(offsets.slice(0, length)),
    stop: index,
  };
}

/** Returns the offset after the line break when only blanks follow `from` on its line. */
function continuationEnd(source: string, from: number, end: number): number | undefined {
  let index = from;
  while (index < end && (source[index] === ' ' || source[index] === '\t')) index++;
  if (index >= end) return end;
  if (source[index] === '\r' && source[index + 1] === '\n') return index + 2;
  if (source[index] === '\n' || source[index] === '\r') return index + 1;
  return undefined;
}

function skipBlankAndCommentLines(source: string, from: number, end: number): number {
  let lineStart = from;
  while (lineStart < end) {
    let index = lineStart;
    while (index < end && (source[index] === ' ' || source[index] === '\t')) index++;
    const char = source[index];
    if (char !== '#' && char !== '\n' && char !== '\r') return lineStart;
    while (index < end && source[index] !== '\n' && source[index] !== '\r') index++;
    if (source[index] === '\r' && source[index + 1] === '\n') index++;
    lineStart = index + 1;
  }
  return Math.min(lineStart, end);
}
