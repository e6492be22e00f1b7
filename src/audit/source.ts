import type { Location } from '../finding/finding.js';

/** A text file of the audited repository, with offset-to-position conversion. */
export class SourceFile {
  /** Offsets at which each line starts; index 0 is line 1. */
  private lineStarts: number[] | undefined;

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
    for (let i = 0; i < this.text.length; i++) {
      if (this.text.charCodeAt(i) === 10) starts.push(i + 1);
    }
    this.lineStarts = starts;
    return starts;
  }

  /** Converts a 0-based offset to a 1-based line and column. */
  positionAt(offset: number): { line: number; column: number } {
    const starts = this.starts();
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= clamped) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: clamped - starts[low]! + 1 };
  }

  /** Builds a location from 0-based start and end offsets. */
  rangeAt(start: number, end: number): Location {
    const from = this.positionAt(start);
    const to = this.positionAt(Math.max(start, end));
    return {
      path: this.path,
      startLine: from.line,
      startColumn: from.column,
      endLine: to.line,
      endColumn: to.column,
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
