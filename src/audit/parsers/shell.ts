/** A word of a shell command. Offsets are 0-based into the text given to the splitter. */
export interface ShellWord {
  /** The word as written, quotes included. */
  raw: string;
  /** The word after quote removal and backslash escapes; `$` expansions stay as written. */
  value: string;
  start: number;
  end: number;
}

/** One simple command, such as `apt-get install -y curl`, without its redirections. */
export interface ShellCommand {
  /** Leading `NAME=value` words, such as `DEBIAN_FRONTEND=noninteractive`. */
  assignments: ShellWord[];
  /** The command name and its arguments, with leading `if`, `then`, `do`, `!` and the like removed. */
  words: ShellWord[];
  start: number;
  end: number;
  /** Commands joined by `|` share a pipeline number; each other separator starts a new one. */
  pipeline: number;
  /** Scripts of the command's `$(...)`, backquote, `<(...)` and `>(...)` substitutions. */
  substitutions: readonly Substitution[];
}

/** The text inside a command substitution, as offsets into the text given to the splitter. */
export interface Substitution {
  start: number;
  end: number;
}

/** Most commands have no substitutions, so they share one empty list. */
const NO_SUBSTITUTIONS: readonly Substitution[] = [];

const LEADING_RESERVED = new Set([
  'if',
  'then',
  'else',
  'elif',
  'do',
  'while',
  'until',
  '!',
  '{',
  'time',
]);
const CLOSING_RESERVED = new Set(['fi', 'done', 'esac', '}']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/**
 * Splits shell text into simple commands at `&&`, `||`, `;`, `|`, `&`, parentheses and line
 * breaks, honouring quotes, backslashes, comments, `$(...)`, `${...}` and backquotes. It reads
 * POSIX shell syntax closely enough to find commands and their arguments; it does not expand
 * variables, and it reads a compound command such as `for` or `case` as ordinary words.
 */
export function splitShellCommands(text: string): ShellCommand[] {
  return new ShellSplitter(text).run();
}

class ShellSplitter {
  private index = 0;
  private pipeline = 0;
  private readonly commands: ShellCommand[] = [];
  private words: ShellWord[] = [];
  private substitutions: Substitution[] = [];
  private skipNextWord = false;

  constructor(private readonly text: string) {}

  run(): ShellCommand[] {
    const text = this.text;
    while (this.index < text.length) {
      const char = text[this.index]!;
      if (char === ' ' || char === '\t') {
        this.index++;
      } else if (char === '\n' || char === '\r' || char === ';' || char === '(' || char === ')') {
        this.endCommand(true);
        this.index++;
      } else if (char === '&' || char === '|') {
        this.readControlOperator(char);
      } else if (char === '#') {
        while (this.index < text.length && text[this.index] !== '\n') this.index++;
      } else if (this.atRedirection()) {
        this.readRedirection();
      } else if (
        char === '\\' &&
        (text[this.index + 1] === '\n' || text[this.index + 1] === '\r')
      ) {
        this.index += text[this.index + 1] === '\r' && text[this.index + 2] === '\n' ? 3 : 2;
      } else {
        this.readWord();
      }
    }
    this.endCommand(true);
    return this.commands;
  }

  private readControlOperator(char: string): void {
    const next = this.text[this.index + 1];
    if (char === '&' && next === '>') {
      this.readRedirection();
      return;
    }
    const pipe = char === '|' && next !== '|';
    this.endCommand(!pipe);
    this.index += next === char || (char === '|' && next === '&') ? 2 : 1;
  }

  private atRedirection(): boolean {
    const text = this.text;
    let index = this.index;
    while (index < text.length && text[index]! >= '0' && text[index]! <= '9') index++;
    const char = text[index];
    if (char !== '<' && char !== '>') return false;
    // `<(...)` and `>(...)` are process substitutions, read as words.
    return !(index === this.index && text[index + 1] === '(');
  }

  private readRedirection(): void {
    const text = this.text;
    const start = this.index;
    while (this.index < text.length && /[0-9<>&-]/.test(text[this.index]!)) this.index++;
    if (text[this.index] === '|' && text[this.index - 1] === '>') this.index++;
    // `2>&1` and `>&-` duplicate or close a descriptor and take no file name.
    this.skipNextWord = !/&(\d+|-)$/.test(text.slice(start, this.index));
  }

  private readWord(): void {
    const text = this.text;
    const start = this.index;
    // Plain characters are copied a run at a time. Adding them one by one made a string per
    // character, and shell splitting took about 5% of an audit of 3,500 Dockerfiles.
    let value = '';
    let plainFrom = this.index;
    while (this.index < text.length) {
      const char = text[this.index]!;
      if (endsWord(char)) break;
      const next = text[this.index + 1];
      if ((char === '<' || char === '>') && next !== '(') break;
      if (!startsQuoting(char, next)) {
        this.index++;
        continue;
      }
      value += text.slice(plainFrom, this.index);
      if (char === "'") {
        const close = text.indexOf("'", this.index + 1);
        const stop = close < 0 ? text.length : close;
        value += text.slice(this.index + 1, stop);
        this.index = stop + 1;
      } else if (char === '"') {
        value += this.readDoubleQuoted();
      } else if (char === '\\') {
        const escaped = next ?? '';
        const lineBreak = escaped === '\n' || (escaped === '\r' && text[this.index + 2] === '\n');
        if (!lineBreak) value += escaped;
        this.index += escaped === '\r' && lineBreak ? 3 : 2;
      } else if (char === '$') {
        value += this.readBalanced(this.index + 1);
      } else if (char === '`') {
        value += this.readBackquoted();
      } else {
        value += this.readBalanced(this.index + 1);
      }
      plainFrom = this.index;
    }
    const end = Math.min(this.index, text.length);
    if (plainFrom < end) value += text.slice(plainFrom, end);
    if (end === start) {
      this.index++;
      return;
    }
    const word = { raw: text.slice(start, end), value, start, end };
    if (this.skipNextWord) this.skipNextWord = false;
    else this.words.push(word);
  }

  private readDoubleQuoted(): string {
    const text = this.text;
    let value = '';
    this.index++;
    let plainFrom = this.index;
    while (this.index < text.length && text[this.index] !== '"') {
      const char = text[this.index]!;
      const next = text[this.index + 1];
      if (char === '\\' && next !== undefined && '"\\$`\n'.includes(next)) {
        value += text.slice(plainFrom, this.index) + (next === '\n' ? '' : next);
        this.index += 2;
      } else if (char === '$' && (next === '(' || next === '{')) {
        value += text.slice(plainFrom, this.index) + this.readBalanced(this.index + 1);
      } else if (char === '`') {
        value += text.slice(plainFrom, this.index) + this.readBackquoted();
      } else {
        this.index++;
        continue;
      }
      plainFrom = this.index;
    }
    value += text.slice(plainFrom, Math.min(this.index, text.length));
    this.index++;
    return value;
  }

  /** Reads `$(...)`, `${...}` or `<(...)` from the `$` or `<` before `open`, nesting included. */
  private readBalanced(open: number): string {
    const text = this.text;
    const start = this.index;
    const { end, closed } = balancedEnd(text, open);
    // `$((...))` is arithmetic, not a command.
    if (closed && text[open] === '(' && text[open + 1] !== '(') {
      this.substitutions.push({ start: open + 1, end: end - 1 });
    }
    this.index = end;
    return text.slice(start, end);
  }

  private readBackquoted(): string {
    const text = this.text;
    const start = this.index;
    const end = backquotedEnd(text, start);
    if (text[end - 1] === '`' && end - 1 > start) {
      this.substitutions.push({ start: start + 1, end: end - 1 });
    }
    this.index = end;
    return text.slice(start, end);
  }

  private endCommand(newPipeline: boolean): void {
    this.skipNextWord = false;
    const command = toCommand(this.words, this.pipeline, this.substitutions);
    if (command) this.commands.push(command);
    this.words = [];
    if (this.substitutions.length > 0) this.substitutions = [];
    if (newPipeline) this.pipeline++;
  }
}

/** True for the characters that end an unquoted word: blanks, breaks and operators. */
function endsWord(char: string): boolean {
  switch (char) {
    case ' ':
    case '\t':
    case '\n':
    case '\r':
    case ';':
    case '&':
    case '|':
    case '(':
    case ')':
      return true;
    default:
      return false;
  }
}

/** True for a character that starts a quote, an escape, an expansion or a substitution. */
function startsQuoting(char: string, next: string | undefined): boolean {
  switch (char) {
    case "'":
    case '"':
    case '\\':
    case '`':
      return true;
    case '$':
      return next === '(' || next === '{';
    case '<':
    case '>':
      return next === '(';
    default:
      return false;
  }
}

/**
 * Returns the offset after the `)` or `}` that closes the opener at `open`, nesting, quotes and
 * escapes included, and whether it was closed before the text ended.
 */
export function balancedEnd(text: string, open: number): { end: number; closed: boolean } {
  const opener = text[open]!;
  const closer = opener === '(' ? ')' : '}';
  let depth = 0;
  let index = open;
  while (index < text.length) {
    const char = text[index]!;
    if (char === '\\') {
      index += 2;
      continue;
    }
    if (char === "'" && opener === '(') {
      const close = text.indexOf("'", index + 1);
      index = close < 0 ? text.length : close + 1;
      continue;
    }
    if (char === '"') {
      index = skipDoubleQuoted(text, index);
      continue;
    }
    if (char === opener) depth++;
    else if (char === closer && --depth === 0) return { end: index + 1, closed: true };
    index++;
  }
  return { end: text.length, closed: false };
}

/** Returns the offset after the backquote that closes the one at `from`, or the text's end. */
export function backquotedEnd(text: string, from: number): number {
  let index = from + 1;
  while (index < text.length && text[index] !== '`') index += text[index] === '\\' ? 2 : 1;
  return Math.min(index + 1, text.length);
}

function skipDoubleQuoted(text: string, from: number): number {
  let index = from + 1;
  while (index < text.length && text[index] !== '"') index += text[index] === '\\' ? 2 : 1;
  return Math.min(index + 1, text.length);
}

function toCommand(
  words: ShellWord[],
  pipeline: number,
  substitutions: Substitution[],
): ShellCommand | undefined {
  let first = 0;
  while (first < words.length && LEADING_RESERVED.has(words[first]!.raw)) first++;
  if (first < words.length && CLOSING_RESERVED.has(words[first]!.raw)) first++;
  const assignments: ShellWord[] = [];
  while (first < words.length && ASSIGNMENT.test(words[first]!.raw))
    assignments.push(words[first++]!);
  const rest = words.slice(first);
  if (rest.length === 0 && assignments.length === 0) return undefined;
  const all = [...assignments, ...rest];
  return {
    assignments,
    words: rest,
    start: all[0]!.start,
    end: all[all.length - 1]!.end,
    pipeline,
    substitutions: substitutions.length > 0 ? substitutions : NO_SUBSTITUTIONS,
  };
}
