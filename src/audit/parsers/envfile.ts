import type { EnvFile, ParseIssue } from '../model/types.js';
import type { SourceFile } from '../source.js';

type EnvEntry = EnvFile['entries'][number];

/** Characters Compose accepts in a variable name besides letters and digits. */
const NAME_PUNCTUATION = new Set(['_', '.', '-', '[', ']']);

const DOUBLE_QUOTE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  $: '$',
  '"': '"',
  '\\': '\\',
};

/**
 * Parses an env file as Docker Compose reads one: `KEY=value` and `KEY: value`, an optional
 * `export` prefix, `#` comments, single quotes (literal) and double quotes (escapes, may span
 * lines), and ` #` comments after unquoted values. A line holding only a name passes the
 * host's value through and gives no entry.
 */
export function parseEnvFile(file: SourceFile): EnvFile {
  const parser = new EnvParser(file);
  parser.run();
  return { file, entries: parser.entries, issues: parser.issues };
}

class EnvParser {
  readonly entries: EnvEntry[] = [];
  readonly issues: ParseIssue[] = [];
  private readonly text: string;
  private offset = 0;

  constructor(private readonly file: SourceFile) {
    this.text = file.text.charCodeAt(0) === 0xfeff ? ` ${file.text.slice(1)}` : file.text;
  }

  run(): void {
    while (this.offset < this.text.length) this.statement();
  }

  private lineEnd(from: number): number {
    const end = this.text.indexOf('\n', from);
    return end === -1 ? this.text.length : end;
  }

  private skipBlanks(from: number): number {
    let position = from;
    while (position < this.text.length && /[ \t\r\f\v]/.test(this.text[position]!)) position++;
    return position;
  }

  private statement(): void {
    const start = this.skipBlanks(this.offset);
    const end = this.lineEnd(start);
    const char = this.text[start];
    if (start >= this.text.length || char === '\n' || char === '#') {
      this.offset = end + 1;
      return;
    }

    let keyStart = start;
    const exported = /^export[ \t]+/.exec(this.text.slice(start, end));
    if (exported) keyStart = start + exported[0].length;
    let keyEnd = keyStart;
    while (keyEnd < end && this.isNameChar(this.text[keyEnd]!)) keyEnd++;
    const key = this.text.slice(keyStart, keyEnd);
    const separatorAt = this.skipBlanks(keyEnd);
    const separator = this.text[separatorAt];

    if (key !== '' && (separatorAt >= end || separator === '\r')) {
      this.offset = end + 1;
      return;
    }
    if (key === '' || (separator !== '=' && separator !== ':')) {
      this.invalidLine(start, end, key, separatorAt);
      this.offset = end + 1;
      return;
    }
    this.value(key, keyStart, this.skipBlanks(separatorAt + 1));
  }

  private isNameChar(char: string): boolean {
    return NAME_PUNCTUATION.has(char) || /[\p{L}\p{N}]/u.test(char);
  }

  private invalidLine(start: number, end: number, key: string, at: number): void {
    const line = this.text.slice(start, end).replace(/\r$/, '');
    const unexpected = this.text[at];
    const message =
      key === ''
        ? `invalid line in '${this.file.path}': '${line}' does not start with a variable name`
        : `invalid line in '${this.file.path}': unexpected ${JSON.stringify(unexpected)} after variable name '${key}'`;
    this.issues.push({
      message,
      location: this.file.rangeAt(start, start + line.length),
      help: 'write each variable as KEY=value, with a name of letters, digits and `_`; start comments with `#`',
    });
  }

  private value(key: string, keyStart: number, valueStart: number): void {
    const quote = this.text[valueStart];
    if (quote === '"' || quote === "'") {
      this.quotedValue(key, keyStart, valueStart, quote);
      return;
    }
    const end = this.lineEnd(valueStart);
    let raw = this.text.slice(valueStart, end);
    const comment = raw.search(/[ \t]#/);
    if (comment !== -1) raw = raw.slice(0, comment);
    raw = raw.replace(/\s+$/, '');
    this.entries.push({
      key,
      value: raw,
      location: this.file.rangeAt(keyStart, valueStart + raw.length),
    });
    this.offset = end + 1;
  }

  private quotedValue(key: string, keyStart: number, valueStart: number, quote: '"' | "'"): void {
    let value = '';
    let position = valueStart + 1;
    while (position < this.text.length) {
      const char = this.text[position]!;
      if (char === '\\' && position + 1 < this.text.length) {
        const next = this.text[position + 1]!;
        value +=
          quote === '"'
            ? (DOUBLE_QUOTE_ESCAPES[next] ?? `\\${next}`)
            : next === "'"
              ? "'"
              : `\\${next}`;
        position += 2;
        continue;
      }
      if (char === quote) break;
      value += char;
      position++;
    }
    if (position >= this.text.length) {
      const end = this.lineEnd(valueStart);
      this.issues.push({
        message: `unterminated quoted value for '${key}' in '${this.file.path}'`,
        location: this.file.rangeAt(keyStart, end),
        help: `close the value with a matching ${quote}`,
      });
      this.offset = end + 1;
      return;
    }
    const close = position + 1;
    this.entries.push({ key, value, quote, location: this.file.rangeAt(keyStart, close) });
    this.trailing(key, close);
  }

  /** After a closing quote, only blanks and a comment may follow on the line. */
  private trailing(key: string, from: number): void {
    const end = this.lineEnd(from);
    const rest = this.text.slice(from, end).replace(/\r$/, '');
    if (rest.trim() !== '' && !/^\s+#/.test(rest) && !rest.startsWith('#')) {
      this.issues.push({
        message: `unexpected text after the quoted value of '${key}' in '${this.file.path}'`,
        location: this.file.rangeAt(from, from + rest.length),
        help: 'put each variable on its own line; start comments with `#`',
      });
    }
    this.offset = end + 1;
  }
}
