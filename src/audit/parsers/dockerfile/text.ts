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
  // Collect the source segments between continuations, then copy them once.
  const segments: number[] = [];
  let segmentStart = start;
  let index = start;
  while (index < end) {
    const char = source[index]!;
    if (char === escapeChar) {
      const next = continuationEnd(source, index + 1, end);
      if (next !== undefined) {
        segments.push(segmentStart, index);
        index = skipBlankAndCommentLines(source, next, end);
        segmentStart = index;
        continue;
      }
    }
    if (char === '\n' || char === '\r') break;
    index++;
  }
  segments.push(segmentStart, index);

  let text = '';
  for (let i = 0; i < segments.length; i += 2) text += source.slice(segments[i], segments[i + 1]);
  let length = text.length;
  while (length > 0 && (text[length - 1] === ' ' || text[length - 1] === '\t')) length--;
  const offsets = new Int32Array(length);
  let filled = 0;
  for (let i = 0; i < segments.length && filled < length; i += 2) {
    for (let offset = segments[i]!; offset < segments[i + 1]! && filled < length; offset++) {
      offsets[filled++] = offset;
    }
  }
  return { text: text.slice(0, length), offsets, stop: index };
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
