import type { ConfEntry, KeyValueConf, ParseIssue, PgHbaEntry, PgHbaFile } from '../model/types.js';
import type { SourceFile } from '../source.js';

/** Issues reported per file before the rest are summarized in one issue. */
const MAX_ISSUES = 50;

interface Line {
  /** 1-based line number. */
  number: number;
  /** 0-based offset of the first character of the line in the file. */
  offset: number;
  text: string;
}

interface Word {
  value: string;
  /** 0-based offsets within the line, quotes included. */
  start: number;
  end: number;
  quoted: boolean;
}

function* linesOf(text: string): Generator<Line> {
  let offset = 0;
  let number = 1;
  while (offset <= text.length) {
    const newline = text.indexOf('\n', offset);
    const end = newline === -1 ? text.length : newline;
    const raw = text.slice(offset, end);
    yield { number, offset, text: raw.endsWith('\r') ? raw.slice(0, -1) : raw };
    if (newline === -1) return;
    offset = newline + 1;
    number++;
  }
}

class IssueList {
  readonly issues: ParseIssue[] = [];
  private count = 0;

  constructor(private readonly file: SourceFile) {}

  add(line: Line, start: number, end: number, message: string, help: string): void {
    this.count++;
    const location = this.file.rangeAt(line.offset + start, line.offset + Math.max(end, start + 1));
    if (this.count <= MAX_ISSUES) this.issues.push({ message, location, help });
    else if (this.count === MAX_ISSUES + 1) {
      this.issues.push({
        message: `more than ${MAX_ISSUES} syntax problems in ${this.file.path}; the rest are not listed`,
        location,
        help: 'fix the problems listed first; later ones often follow from them',
      });
    }
  }
}

function entryLocation(file: SourceFile, line: Line, words: Word[]) {
  const first = words[0]!;
  const last = words[words.length - 1]!;
  return file.rangeAt(line.offset + first.start, line.offset + last.end);
}

/**
 * Parses a `postgresql.conf` or `redis.conf` into entries in file order. Later entries with the
 * same key override earlier ones in both servers. Keys are lower-cased because both servers
 * treat parameter names case-insensitively. Never throws.
 */
export function parseKeyValueConf(file: SourceFile, kind: 'postgresql' | 'redis'): KeyValueConf {
  const issues = new IssueList(file);
  const entries: ConfEntry[] = [];
  for (const line of linesOf(file.text)) {
    const entry =
      kind === 'postgresql'
        ? readPostgresLine(file, line, issues)
        : readRedisLine(file, line, issues);
    if (entry) entries.push(entry);
  }
  return { file, kind, entries, issues: issues.issues };
}

/**
 * Parses a Redis ACL file (`aclfile`) into `user` entries. Redis reads these files more strictly
 * than redis.conf. It does not start when the file has comment lines, other directives, keywords
 * not in lower case, tabs, quotes or a user defined twice, so each of these becomes an issue.
 */
export function parseRedisAclFile(file: SourceFile): KeyValueConf {
  const issues = new IssueList(file);
  const entries: ConfEntry[] = [];
  const seen = new Set<string>();
  const startFailure = 'Redis refuses to start with this ACL file';
  for (const line of linesOf(file.text)) {
    const text = line.text.replace(/\r$/, '');
    const start = skipBlanks(text, 0);
    if (start >= text.length) continue;
    const word = /^\S+/.exec(text.slice(start))![0];
    if (word.startsWith('#')) {
      issues.add(
        line,
        start,
        text.length,
        `${startFailure}: it takes no comment lines`,
        'remove the comment line',
      );
      continue;
    }
    if (word !== 'user') {
      const help =
        word.toLowerCase() === 'user' ? 'write `user` in lower case' : 'keep only `user` lines';
      issues.add(
        line,
        start,
        start + word.length,
        `${startFailure}: \`${word}\` is not \`user\``,
        help,
      );
      continue;
    }
    // Redis 7 trims blanks at both ends of a line, splits the rest at single spaces and trims
    // tabs at the ends of each rule. A tab or a leading quote inside a rule, a second space
    // after `user` (an empty user name), an unknown rule and an unclosed selector all stop it.
    // Passwords and key or channel patterns may contain tabs and quotes.
    const end = text.search(/[ \t]*$/);
    const words = spaceSeparated(text, start, end);
    if (words.length > 1 && text[start + 4] === ' ' && text[start + 5] === ' ') {
      issues.add(
        line,
        start + 4,
        words[1]!.start,
        `${startFailure}: a second space after \`user\` makes the user name empty`,
        'leave one space between `user` and the name',
      );
    }
    let selector: { start: number } | undefined;
    for (const [index, word] of words.entries()) {
      const tab = word.text.indexOf('\t');
      if (index < 2 && tab !== -1) {
        // `user` and the name are compared whole, so a tab joins them to their neighbour.
        issues.add(
          line,
          word.start + tab,
          word.start + tab + 1,
          `${startFailure}: ${TAB_PROBLEM}`,
          'replace the tab with a space',
        );
      }
      if (index < 2) continue;
      const rule = word.text.replace(/^\t+|\t+$/g, '');
      const ruleStart = word.start + word.text.indexOf(rule);
      if (rule.startsWith('(')) selector = { start: ruleStart };
      const inner = selector ? rule.replace(/^\(/, '').replace(/\)$/, '') : rule;
      const problem = aclRuleProblem(inner, selector !== undefined);
      if (problem) {
        issues.add(
          line,
          ruleStart,
          ruleStart + rule.length,
          `${startFailure}: ${problem[0]}`,
          problem[1],
        );
      }
      if (rule.endsWith(')')) selector = undefined;
    }
    if (selector) {
      issues.add(
        line,
        selector.start,
        selector.start + 1,
        `${startFailure}: this selector has no closing \`)\``,
        'close the selector with `)`, as in `(~cache:* +get)`',
      );
    }
    if (text.slice(start, end) === 'user') {
      issues.add(
        line,
        start,
        end,
        `${startFailure}: \`user\` needs a user name`,
        'write `user NAME` followed by its rules',
      );
      continue;
    }
    const entry = readRedisLine(file, line, issues);
    if (!entry) continue;
    if (seen.has(entry.value)) {
      issues.add(
        line,
        start,
        text.length,
        `${startFailure}: user \`${entry.value}\` is defined twice`,
        'merge the rules into one line per user',
      );
    }
    seen.add(entry.value);
    entries.push(entry);
  }
  return { file, kind: 'redis', entries, issues: issues.issues };
}

/** ACL rules that are whole words of a user, in any case, as Redis's ACLSetUser compares them. */
const ACL_USER_WORDS = new Set([
  'on',
  'off',
  'nopass',
  'resetpass',
  'reset',
  'skip-sanitize-payload',
  'sanitize-payload',
  'clearselectors',
]);

/** Whole-word rules that a selector takes too. */
const ACL_SELECTOR_WORDS = new Set([
  'allkeys',
  'resetkeys',
  'allchannels',
  'resetchannels',
  'allcommands',
  'nocommands',
]);

const PASSWORD_HASH = /^[0-9a-f]{64}$/;
const TAB_PROBLEM = 'it splits lines at spaces only';

/**
 * Returns the message and help for an ACL rule that Redis 7 rejects, or undefined. Inside a
 * selector only key, channel and command rules count. Command and category names after `+` and
 * `-` are not checked against Redis's command table.
 */
function aclRuleProblem(rule: string, inSelector: boolean): [string, string] | undefined {
  if (rule === '') return undefined;
  // A password may contain any character, tabs and quotes included.
  if (!inSelector && /^[<>]/.test(rule)) return undefined;
  if (rule.includes('\t')) {
    return [TAB_PROBLEM, 'replace the tab with a space'];
  }
  const lower = rule.toLowerCase();
  if (ACL_SELECTOR_WORDS.has(lower) || /^[~%&+-]/.test(rule)) return undefined;
  if (!inSelector) {
    if (ACL_USER_WORDS.has(lower)) return undefined;
    if (/^[#!]/.test(rule)) {
      return PASSWORD_HASH.test(rule.slice(1))
        ? undefined
        : [
            `\`${rule}\` is not a SHA-256 password hash`,
            'write 64 lower-case hexadecimal characters after `#`, from `echo -n PASSWORD | sha256sum`',
          ];
    }
  }
  if (rule.startsWith('"') || rule.startsWith("'")) {
    return ['it does not remove quotes', 'remove the quotes'];
  }
  return [
    `\`${rule}\` is not an ACL rule${inSelector ? ' inside a selector' : ''}`,
    'use rules such as on, off, nopass, >password, #hash, ~pattern, &pattern, +command, -@category',
  ];
}

/** Returns the words of `text` between `start` and `end`, split at single spaces. */
function spaceSeparated(
  text: string,
  start: number,
  end: number,
): Array<{ text: string; start: number }> {
  const tokens: Array<{ text: string; start: number }> = [];
  let from = start;
  while (from <= end) {
    let space = text.indexOf(' ', from);
    if (space === -1 || space > end) space = end;
    if (space > from) tokens.push({ text: text.slice(from, space), start: from });
    from = space + 1;
  }
  return tokens;
}

const PG_NAME = /^[A-Za-z_][\w.-]*/;

function readPostgresLine(file: SourceFile, line: Line, issues: IssueList): ConfEntry | undefined {
  const text = line.text;
  let position = skipBlanks(text, 0);
  if (position >= text.length || text[position] === '#') return undefined;

  const name = PG_NAME.exec(text.slice(position));
  if (!name) {
    issues.add(
      line,
      position,
      position + 1,
      `invalid parameter name at "${text.slice(position, position + 20)}"`,
      'write `name = value`, with a name of letters, digits and underscores',
    );
    return undefined;
  }
  const nameWord: Word = {
    value: name[0],
    start: position,
    end: position + name[0].length,
    quoted: false,
  };
  position = skipBlanks(text, nameWord.end);
  if (text[position] === '=') position = skipBlanks(text, position + 1);

  const value = readPostgresValue(text, position);
  if (!value) {
    issues.add(
      line,
      nameWord.start,
      nameWord.end,
      `missing value for "${nameWord.value}"`,
      `write \`${nameWord.value} = value\`; quote empty strings as ''`,
    );
    return undefined;
  }
  if (value.unterminated) {
    issues.add(
      line,
      value.start,
      value.end,
      `quoted value of "${nameWord.value}" is never closed`,
      "close the value with ' on the same line",
    );
  }

  const after = skipBlanks(text, value.end);
  if (after < text.length && text[after] !== '#') {
    issues.add(
      line,
      after,
      text.length,
      `unexpected text after the value of "${nameWord.value}"`,
      'quote values that contain spaces, and start comments with #',
    );
  }
  return {
    key: nameWord.value.toLowerCase(),
    value: value.value,
    rest: [],
    location: entryLocation(file, line, [nameWord, value]),
  };
}

function readPostgresValue(
  text: string,
  start: number,
): (Word & { unterminated?: boolean }) | undefined {
  if (start >= text.length || text[start] === '#') return undefined;
  if (text[start] !== "'") {
    let end = start;
    while (end < text.length && !/[ \t\r\v\f#]/.test(text[end]!)) end++;
    return { value: text.slice(start, end), start, end, quoted: false };
  }

  let value = '';
  let position = start + 1;
  while (position < text.length) {
    const char = text[position]!;
    if (char === "'" && text[position + 1] === "'") {
      value += "'";
      position += 2;
    } else if (char === "'") {
      return { value, start, end: position + 1, quoted: true };
    } else if (char === '\\' && position + 1 < text.length) {
      value += text[position + 1];
      position += 2;
    } else {
      value += char;
      position++;
    }
  }
  return { value, start, end: text.length, quoted: true, unterminated: true };
}

function readRedisLine(file: SourceFile, line: Line, issues: IssueList): ConfEntry | undefined {
  const start = skipBlanks(line.text, 0);
  if (start >= line.text.length || line.text[start] === '#') return undefined;

  const words = splitRedisArgs(line, issues);
  if (words.length === 0) return undefined;
  const [keyword, ...args] = words as [Word, ...Word[]];
  return {
    key: keyword.value.toLowerCase(),
    value: args[0]?.value ?? '',
    rest: args.slice(1).map((word) => word.value),
    location: entryLocation(file, line, words),
  };
}

const REDIS_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07' };

/** Splits a redis.conf line the way Redis does: blanks separate words, quotes group them. */
function splitRedisArgs(line: Line, issues: IssueList): Word[] {
  const text = line.text;
  const words: Word[] = [];
  let position = skipBlanks(text, 0);
  while (position < text.length) {
    const quote = text[position];
    const word =
      quote === '"' || quote === "'"
        ? readRedisQuoted(text, position, quote)
        : readRedisPlain(text, position);
    if (word.unterminated) {
      issues.add(
        line,
        position,
        text.length,
        'quoted argument is never closed',
        `close the argument with ${quote} on the same line`,
      );
      return [];
    }
    if (word.end < text.length && !/[ \t\r\v\f]/.test(text[word.end]!)) {
      issues.add(
        line,
        word.end,
        word.end + 1,
        'closing quote must be followed by a blank',
        'put a space after the closing quote',
      );
      return [];
    }
    words.push(word);
    position = skipBlanks(text, word.end);
  }
  return words;
}

function readRedisPlain(text: string, start: number): Word & { unterminated?: boolean } {
  let end = start;
  while (end < text.length && !/[ \t\r\v\f]/.test(text[end]!)) end++;
  return { value: text.slice(start, end), start, end, quoted: false };
}

function readRedisQuoted(
  text: string,
  start: number,
  quote: string,
): Word & { unterminated?: boolean } {
  let value = '';
  let position = start + 1;
  while (position < text.length) {
    const char = text[position]!;
    if (char === quote) return { value, start, end: position + 1, quoted: true };
    if (char === '\\' && position + 1 < text.length) {
      const next = text[position + 1]!;
      const hex =
        quote === '"' && next === 'x' ? /^[0-9a-fA-F]{2}/.exec(text.slice(position + 2)) : null;
      if (hex) {
        value += String.fromCharCode(Number.parseInt(hex[0], 16));
        position += 4;
        continue;
      }
      if (quote === '"') value += REDIS_ESCAPES[next] ?? next;
      else value += next === "'" ? "'" : `\\${next}`;
      position += 2;
      continue;
    }
    value += char;
    position++;
  }
  return { value, start, end: text.length, quoted: true, unterminated: true };
}

function skipBlanks(text: string, start: number): number {
  let position = start;
  // The same blank characters as C's isspace(), which both servers use. Lines contain no \n here.
  while (position < text.length && /[ \t\r\v\f]/.test(text[position]!)) position++;
  return position;
}

const HBA_TYPES = new Set(['local', 'host', 'hostssl', 'hostnossl', 'hostgssenc', 'hostnogssenc']);
const HBA_INCLUDES = new Set(['include', 'include_if_exists', 'include_dir']);
const HBA_METHODS = new Set([
  'trust',
  'reject',
  'scram-sha-256',
  'md5',
  'password',
  'gss',
  'sspi',
  'ident',
  'peer',
  'ldap',
  'radius',
  'cert',
  'pam',
  'bsd',
  'oauth',
]);
const IP_MASK = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)$/;

/**
 * Parses `pg_hba.conf` records. A line ending in a backslash continues on the next line, as
 * PostgreSQL 16 and later allow. `include` lines are skipped without an issue. Never throws.
 */
export function parsePgHba(file: SourceFile): PgHbaFile {
  const issues = new IssueList(file);
  const entries: PgHbaEntry[] = [];
  let pending: { line: Line; words: Word[] } | undefined;

  for (const line of linesOf(file.text)) {
    const { words, continues } = splitHbaFields(line, issues);
    if (pending) {
      pending.words.push(...words.map((word) => shiftWord(word, line, pending!.line)));
    } else if (words.length > 0 || continues) {
      pending = { line, words };
    }
    if (continues || !pending) continue;
    const entry = readHbaRecord(file, pending.line, pending.words, issues);
    if (entry) entries.push(entry);
    pending = undefined;
  }
  if (pending) {
    const entry = readHbaRecord(file, pending.line, pending.words, issues);
    if (entry) entries.push(entry);
  }
  return { file, entries, issues: issues.issues };
}

/** Re-bases a word of a continuation line onto the offsets of the record's first line. */
function shiftWord(word: Word, line: Line, first: Line): Word {
  const delta = line.offset - first.offset;
  return { ...word, start: word.start + delta, end: word.end + delta };
}

function splitHbaFields(line: Line, issues: IssueList): { words: Word[]; continues: boolean } {
  const text = line.text;
  const words: Word[] = [];
  let position = skipBlanks(text, 0);
  while (position < text.length) {
    if (text[position] === '#') break;
    if (text[position] === '\\' && text.slice(position + 1).trim() === '') {
      return { words, continues: true };
    }
    const start = position;
    let value = '';
    let quoted = false;
    let inQuotes = false;
    while (position < text.length && (inQuotes || !/[ \t\r\v\f#]/.test(text[position]!))) {
      if (text[position] === '"') {
        inQuotes = !inQuotes;
        quoted = true;
      } else value += text[position];
      position++;
    }
    if (inQuotes)
      issues.add(
        line,
        start,
        text.length,
        'quoted field is never closed',
        'close the field with " on the same line',
      );
    words.push({ value, start, end: position, quoted });
    position = skipBlanks(text, position);
  }
  return { words, continues: false };
}

function readHbaRecord(
  file: SourceFile,
  line: Line,
  words: Word[],
  issues: IssueList,
): PgHbaEntry | undefined {
  const [typeWord] = words;
  if (!typeWord) return undefined;
  const type = typeWord.value;
  if (HBA_INCLUDES.has(type)) return undefined;
  if (!HBA_TYPES.has(type)) {
    issues.add(
      line,
      typeWord.start,
      typeWord.end,
      `invalid connection type "${type}"`,
      'start the record with local, host, hostssl, hostnossl, hostgssenc or hostnogssenc',
    );
    return undefined;
  }

  const fields = words.slice(1);
  const needed = type === 'local' ? 3 : 4;
  if (fields.length < needed) {
    const expected =
      type === 'local' ? 'database, user and method' : 'database, user, address and method';
    issues.add(
      line,
      typeWord.start,
      words[words.length - 1]!.end,
      `"${type}" record has too few fields`,
      `write the ${expected} after "${type}"`,
    );
    return undefined;
  }

  let index = 2;
  let address: string | undefined;
  if (type !== 'local') {
    address = fields[index]!.value;
    index++;
    const mask = fields[index];
    if (
      !address.includes('/') &&
      IP_MASK.test(address) &&
      mask &&
      IP_MASK.test(mask.value) &&
      fields.length > index + 1
    ) {
      address = `${address} ${mask.value}`;
      index++;
    }
  }

  const methodWord = fields[index];
  if (!methodWord) {
    issues.add(
      line,
      typeWord.start,
      words[words.length - 1]!.end,
      `"${type}" record has no authentication method`,
      'end the record with a method such as scram-sha-256',
    );
    return undefined;
  }
  if (!HBA_METHODS.has(methodWord.value)) {
    issues.add(
      line,
      methodWord.start,
      methodWord.end,
      `invalid authentication method "${methodWord.value}"`,
      'use a method such as scram-sha-256, cert, peer or reject',
    );
  }
  return {
    type,
    database: fields[0]!.value,
    user: fields[1]!.value,
    address,
    method: methodWord.value,
    options: fields.slice(index + 1).map((word) => word.value),
    location: entryLocation(file, line, words),
  };
}
