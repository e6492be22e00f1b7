import type { Location } from '../finding/finding.js';

/** A text file of the audited repository, with offset-to-position conversion. */
export class SourceFile {
  /** Offsets at which each line starts; index 0 is line 1. */
  private lineStarts: number[] | undefined;
  /** Index in `lineStarts` of the line found last, because readers look up positions in file order. */
  private lastLine = 0;

  constructor(
    /** Path relative to the audit root, with forward slashes. */
    readonly path: string,
    readonly text: string,
  ) {}

  get lines(): string[] {
    return this.text.split(/\r?\n/);
  }

  private starts(): number[] {
    if (this.lineStarts) return this.lineStarts;
    const starts = [0];
    let newline = this.text.indexOf('\n');
    while (newline !== -1) {
      starts.push(newline + 1);
      newline = this.text.indexOf('\n', newline + 1);
    }
    this.lineStarts = starts;
    return starts;
  }

  /** Returns the 0-based index of the line that contains `offset`, clamped to the text. */
  private lineIndexOf(offset: number): number {
    const starts = this.starts();
    const last = this.lastLine;
    // Most lookups fall on the line of the previous lookup, so that line is tried first.
    if (starts[last]! <= offset && (last + 1 >= starts.length || offset < starts[last + 1]!)) {
      return last;
    }
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    this.lastLine = low;
    return low;
  }

  /** Converts a 0-based offset to a 1-based line and column. */
  positionAt(offset: number): { line: number; column: number } {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    const line = this.lineIndexOf(clamped);
    return { line: line + 1, column: clamped - this.starts()[line]! + 1 };
  }

  /** Builds a location from 0-based start and end offsets. */
  rangeAt(start: number, end: number): Location {
    const length = this.text.length;
    const from = Math.max(0, Math.min(start, length));
    const to = Math.max(0, Math.min(Math.max(start, end), length));
    const starts = this.starts();
    const startLine = this.lineIndexOf(from);
    const endLine = this.lineIndexOf(to);
    return {
      path: this.path,
      startLine: startLine + 1,
      startColumn: from - starts[startLine]! + 1,
      endLine: endLine + 1,
      endColumn: to - starts[endLine]! + 1,
    };
  }

  /** Builds a location covering 1-based line `line`, trimmed of leading and trailing blanks. */
  lineAt(line: number): Location {
    const text = this.lines[line - 1] ?? '';
    const leading = text.length - text.trimStart().length;
    const end = text.trimEnd().length;
    return {
      path: this.path,
      startLine: line,
      startColumn: leading + 1,
      endLine: line,
      endColumn: Math.max(leading + 1, end + 1),
    };
  }

  /** Builds a location for the whole file's first line, for findings about a file as a whole. */
  fileStart(): Location {
    return this.lineAt(1);
  }
}
