import type { ParseIssue } from '../model/types.js';
import type { SourceFile } from '../source.js';

export const WORD = 0;
export const SEMICOLON = 1;
export const OPEN = 2;
export const CLOSE = 3;

/** One lexical token of an nginx configuration file. */
export interface Token {
  type: typeof WORD | typeof SEMICOLON | typeof OPEN | typeof CLOSE;
  /** 0-based offsets of the token in the file, quotes included. */
  start: number;
  end: number;
  /** Word value after nginx's escape handling, quotes removed. */
  value: string;
  quoted: boolean;
  /** True when a line break separates this token from the previous one. */
  newlineBefore: boolean;
}

export interface TokenizedFile {
  tokens: Token[];
  issues: ParseIssue[];
}

const BACKSLASH = 92;
const HASH = 35;
const DOLLAR = 36;
const LINE_FEED = 10;

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

/**
 * Applies nginx's escape handling to a token body: `\"`, `\'` and `\\` lose the backslash,
 * `\t`, `\r` and `\n` become control characters, and any other backslash stays.
 */
function unescapeToken(raw: string): string {
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i]!;
    const next = raw[i + 1];
    if (char !== '\\' || next === undefined) {
      out += char;
      continue;
    }
    if (next === '"' || next === "'" || next === '\\') {
      out += next;
      i++;
    } else if (next === 't' || next === 'r' || next === 'n') {
      out += next === 't' ? '\t' : next === 'r' ? '\r' : '\n';
      i++;
    } else {
      out += char;
    }
  }
  return out;
}

/**
 * Splits an nginx configuration into tokens the way nginx's own reader does: `#` starts a
 * comment only at the start of a token, quotes are special only at the start of a token, and
 * `{` directly after `$` stays part of the word, as in `${name}`.
 */
export function tokenizeNginx(file: SourceFile): TokenizedFile {
  const text = file.text;
  const tokens: Token[] = [];
  const issues: ParseIssue[] = [];
  let newlineBefore = false;
  let i = 0;

  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (isSpace(code)) {
      if (code === LINE_FEED) newlineBefore = true;
      i++;
      continue;
    }
    if (code === HASH) {
      const lineEnd = text.indexOf('\n', i);
      i = lineEnd === -1 ? text.length : lineEnd;
      continue;
    }

    const char = text[i]!;
    if (char === ';' || char === '{' || char === '}') {
      const type = char === ';' ? SEMICOLON : char === '{' ? OPEN : CLOSE;
      tokens.push({ type, start: i, end: i + 1, value: char, quoted: false, newlineBefore });
      newlineBefore = false;
      i++;
      continue;
    }

    const end = char === '"' || char === "'" ? readQuoted(file, i, issues) : readWord(text, i);
    const quoted = char === '"' || char === "'";
    const body = quoted
      ? text.slice(i + 1, end.closed ? end.offset - 1 : end.offset)
      : text.slice(i, end.offset);
    tokens.push({
      type: WORD,
      start: i,
      end: end.offset,
      value: unescapeToken(body),
      quoted,
      newlineBefore,
    });
    newlineBefore = false;
    i = end.offset;
  }
  return { tokens, issues };
}

function readWord(text: string, start: number): { offset: number; closed: boolean } {
  let j = start;
  while (j < text.length) {
    const code = text.charCodeAt(j);
    if (code === BACKSLASH) {
      j += 2;
      continue;
    }
    if (isSpace(code) || code === 59) break;
    if (code === 123 && (j === start || text.charCodeAt(j - 1) !== DOLLAR)) break;
    j++;
  }
  return { offset: Math.min(j, text.length), closed: true };
}

function readQuoted(
  file: SourceFile,
  start: number,
  issues: ParseIssue[],
): { offset: number; closed: boolean } {
  const text = file.text;
  const quote = text.charCodeAt(start);
  let j = start + 1;
  while (j < text.length) {
    const code = text.charCodeAt(j);
    if (code === BACKSLASH) {
      j += 2;
      continue;
    }
    if (code === quote) break;
    j++;
  }
  if (j >= text.length) {
    issues.push({
      message: `quoted string starting here is never closed (expected ${text[start]})`,
      location: file.rangeAt(start, Math.min(start + 1, text.length)),
      help: `close the string with a matching ${text[start]} before the end of the file`,
    });
    return { offset: text.length, closed: false };
  }

  const after = text.charCodeAt(j + 1);
  // nginx accepts only a blank, ";", "{" or ")" after a closing quote.
  if (j + 1 < text.length && !isSpace(after) && after !== 59 && after !== 123 && after !== 41) {
    issues.push({
      message: `unexpected character "${text[j + 1]}" directly after a quoted string`,
      location: file.rangeAt(j + 1, j + 2),
      help: 'put a space, ";" or "{" after the closing quote, or move the character inside it',
    });
  }
  return { offset: j + 1, closed: true };
}
