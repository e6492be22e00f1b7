import type { DockerInstruction } from '../../model/types.js';
import type { SourceFile } from '../../source.js';
import {
  type FlagDetail,
  type HeredocDetail,
  type InstructionDetail,
  ParsedInstruction,
  type PropertyDetail,
} from './detail.js';
import { type JoinedText, joinCommandLine, type OffsetMap } from './text.js';

/*
 * A fast reader for the Dockerfiles that most repositories have. dockerfile-ast builds a
 * language-server object model and recomputes an instruction's argument list on every accessor
 * call, which made parsing about a third of the CPU time of auditing 3,500 corpus Dockerfiles.
 * This reader produces the same instructions and source details in one pass over the text. It
 * gives up (returns undefined) on every construct whose details it does not reproduce exactly:
 * the escape directive, a byte order mark, lone carriage returns, backslashes other than line
 * continuations, unusual heredoc forms, and quotes in property names. The caller then parses
 * the file with dockerfile-ast. A property-based test checks that both readers agree on every
 * file this one accepts.
 */

/** Instructions whose leading `--name=value` words dockerfile-ast reads as flags. */
const FLAGGED = new Set(['FROM', 'RUN', 'COPY', 'ADD', 'HEALTHCHECK']);
const EXEC_FORM = new Set(['RUN', 'CMD', 'ENTRYPOINT', 'COPY', 'ADD', 'VOLUME', 'SHELL']);
const WITH_PROPERTIES = new Set(['ARG', 'ENV', 'LABEL']);
const WITH_HEREDOCS = new Set(['RUN', 'COPY', 'ADD']);
/** A heredoc word as dockerfile-ast and BuildKit both read it: `<<EOF`, `<<-EOF`, `<<"EOF"`. */
const HEREDOC_WORD = /^<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2$/;

/** Thrown inside the scanner when a construct needs dockerfile-ast; never leaves this module. */
class Unsupported extends Error {}

/**
 * Reads the instructions of a Dockerfile, or returns undefined when the file uses a construct
 * that only dockerfile-ast reads exactly.
 */
export function scanDockerfile(file: SourceFile): DockerInstruction[] | undefined {
  const text = file.text;
  if (
    text.charCodeAt(0) === 0xfeff ||
    /^[ \t]*#[ \t]*escape[ \t]*=/im.test(text) ||
    /\r(?!\n)/.test(text) ||
    !hasOnlyPlainContinuations(text)
  ) {
    return undefined;
  }
  try {
    return scanInstructions(file);
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

/**
 * True when every backslash in the text ends a line after a blank, as in `make \`. dockerfile-ast
 * reads other escapes (`&&\`, `\#`, `a\ b`) with rules of its own that this reader does not copy.
 */
function hasOnlyPlainContinuations(text: string): boolean {
  let index = text.indexOf('\\');
  while (index !== -1) {
    const before = text[index - 1];
    if (before !== ' ' && before !== '\t') return false;
    let after = index + 1;
    while (text[after] === ' ' || text[after] === '\t') after++;
    if (after < text.length && text[after] !== '\n' && text[after] !== '\r') return false;
    index = text.indexOf('\\', index + 1);
  }
  return true;
}

function scanInstructions(file: SourceFile): DockerInstruction[] {
  const text = file.text;
  const instructions: DockerInstruction[] = [];
  let index = 0;
  while (index < text.length) {
    index = skipBlanks(text, index);
    const char = text[index];
    if (char === undefined) break;
    if (char === '\n' || char === '\r') {
      index++;
      continue;
    }
    if (char === '#') {
      index = lineEnd(text, index);
      continue;
    }
    const scanned = scanInstruction(file, index);
    instructions.push(scanned.instruction);
    index = scanned.next;
  }
  return instructions;
}

function scanInstruction(
  file: SourceFile,
  start: number,
): { instruction: DockerInstruction; next: number } {
  const text = file.text;
  let keywordEnd = start;
  while (keywordEnd < text.length && !isSpaceOrBreak(text.charCodeAt(keywordEnd))) keywordEnd++;
  const keyword = text.slice(start, keywordEnd).toUpperCase();

  const joined = joinCommandLine(text, keywordEnd, text.length, '\\');
  const words = splitWords(joined);
  const heredocs = readHeredocs(keyword, words, joined, text);
  const end = heredocs.end;
  const flags = FLAGGED.has(keyword) ? readFlags(keyword, words, joined) : [];
  const argWords = words.slice(flags.length);
  const argFrom = argWords[0]?.from ?? joined.text.length;
  const argText = joined.text.slice(argFrom);
  const offsets = joined.offsets.slice(argFrom);
  const argStart = argWords.length > 0 ? offsets.at(0)! : end;
  const exec = EXEC_FORM.has(keyword) ? parseExecForm(argText) : undefined;
  const properties = WITH_PROPERTIES.has(keyword) ? readProperties(argText, offsets) : [];

  const location = file.rangeAt(start, Math.max(start, end));
  const fields: DockerInstruction = {
    keyword,
    argText,
    args: exec ?? argWords.map((word) => joined.text.slice(word.from, word.to)),
    jsonForm: exec !== undefined,
    flags: flagRecord(flags),
    heredocs: heredocs.map((heredoc) => ({ delimiter: heredoc.delimiter, body: heredoc.body })),
    location,
    argLocation:
      offsets.length > 0 ? file.rangeAt(argStart, offsets.at(offsets.length - 1)! + 1) : location,
    stage: -1,
  };
  const detail: InstructionDetail = {
    start,
    end: Math.max(start, end),
    offsets,
    jsonSpans: exec ? jsonSpansOf(argText, offsets, exec.length) : undefined,
    flags,
    heredocs: heredocs.length > 0 ? [...heredocs] : [],
    properties,
  };
  const instruction = new ParsedInstruction(fields, detail);
  return { instruction, next: end };
}

/** Flags by name; when a flag repeats, the first one wins, as dockerfile-ast reads them. */
export function flagRecord(flags: FlagDetail[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let index = flags.length - 1; index >= 0; index--) {
    record[flags[index]!.name] = flags[index]!.value;
  }
  return record;
}

/** A blank-separated word of the joined argument text, as indexes into that text. */
interface Word {
  from: number;
  to: number;
}

function splitWords(joined: JoinedText): Word[] {
  const words: Word[] = [];
  const text = joined.text;
  let index = 0;
  while (index < text.length) {
    while (index < text.length && isBlank(text.charCodeAt(index))) index++;
    if (index >= text.length) break;
    const from = index;
    while (index < text.length && !isBlank(text.charCodeAt(index))) index++;
    words.push({ from, to: index });
  }
  return words;
}

/**
 * Reads the heredoc bodies that follow an instruction's command line. Returns them with `end`,
 * the offset after the last closing delimiter, or after the file when a heredoc is not closed.
 */
function readHeredocs(
  keyword: string,
  words: Word[],
  joined: JoinedText,
  text: string,
): HeredocDetail[] & { end: number } {
  const found = Object.assign([] as HeredocDetail[], { end: joined.stop });
  if (!joined.text.includes('<<')) return found;
  if (!WITH_HEREDOCS.has(keyword) || text.includes('\r')) throw new Unsupported();
  if (!joined.offsets.isContiguous(0, joined.text.length)) throw new Unsupported();

  const names: Array<{ name: string; nameEnd: number }> = [];
  let tabbed = false;
  for (const word of words) {
    const value = joined.text.slice(word.from, word.to);
    if (!value.includes('<<')) continue;
    const match = HEREDOC_WORD.exec(value);
    if (!match) throw new Unsupported();
    if (match[1]) tabbed = true;
    const nameEnd = joined.offsets.at(word.to - 1)! + (match[2] ? 0 : 1);
    names.push({ name: match[3]!, nameEnd });
  }

  // Several heredocs in one instruction are rare, and dockerfile-ast's reading of them differs
  // in corner cases (a shared `<<-`, repeated names).
  if (names.length > 1) throw new Unsupported();
  let lineStart = joined.stop + 1;
  // With no line after the command line, dockerfile-ast reads the heredoc from the command line.
  if (lineStart >= text.length) throw new Unsupported();
  for (const [index, { name, nameEnd }] of names.entries()) {
    const bodyStart = lineStart;
    let closed = false;
    while (lineStart <= text.length) {
      const stop = lineEnd(text, lineStart);
      const line = text.slice(lineStart, stop);
      const bare = tabbed ? line.replace(/^\t+/, '') : line;
      if (bare === name) {
        // dockerfile-ast reads a delimiter after a line that ends in `\` as part of the body.
        if (/\\[ \t]*$/.test(text.slice(bodyStart, Math.max(bodyStart, lineStart - 1)))) {
          throw new Unsupported();
        }
        closed = true;
        found.end = stop;
        break;
      }
      if (bare.trim() === name) throw new Unsupported();
      if (stop >= text.length) break;
      lineStart = stop + 1;
    }
    if (!closed && index < names.length - 1) throw new Unsupported();
    const bodyEnd = closed ? lineStart - 1 : text.length;
    const empty = closed && bodyStart === lineStart;
    found.push({
      delimiter: name,
      body: empty ? '' : text.slice(bodyStart, bodyEnd),
      bodyStart: empty ? nameEnd : bodyStart,
      closed,
    });
    if (!closed) found.end = text.length;
    lineStart = found.end + 1;
  }
  return found;
}

function readFlags(keyword: string, words: Word[], joined: JoinedText): FlagDetail[] {
  const flags: FlagDetail[] = [];
  for (const word of words) {
    const value = joined.text.slice(word.from, word.to);
    if (!value.startsWith('--')) {
      // dockerfile-ast keeps reading flags past words that merely contain `--`, or, for
      // HEALTHCHECK, past any word before CMD or NONE; those files take the slow path.
      const stops = keyword === 'HEALTHCHECK' ? /^(cmd|none)$/i.test(value) : !value.includes('--');
      if (!stops) throw new Unsupported();
      break;
    }
    if (/["'\\]/.test(value) || !joined.offsets.isContiguous(word.from, word.to)) {
      throw new Unsupported();
    }
    const equals = value.indexOf('=');
    flags.push({
      name: equals === -1 ? value.slice(2) : value.slice(2, equals),
      value: equals === -1 ? '' : value.slice(equals + 1),
      start: joined.offsets.at(word.from)!,
      end: joined.offsets.at(word.to - 1)! + 1,
    });
  }
  return flags;
}

/**
 * Reads `NAME=value` pairs, quotes removed from names and values. The legacy `ENV NAME value`
 * form takes the rest of the line as the value. Escapes and quotes in the legacy form need
 * dockerfile-ast.
 */
function readProperties(text: string, offsets: OffsetMap): PropertyDetail[] {
  const words = splitQuoted(text);
  if (words.some((word) => !offsets.isContiguous(word.from, word.to))) throw new Unsupported();
  const first = words[0];
  if (!first) return [];
  const firstText = text.slice(first.from, first.to);
  if (!firstText.includes('=') && words.length > 1) {
    return [legacyProperty(text, offsets, words)];
  }
  return words.map((word) => propertyOf(text, offsets, word));
}

function legacyProperty(text: string, offsets: OffsetMap, words: Word[]): PropertyDetail {
  const name = words[0]!;
  const valueFrom = words[1]!.from;
  const value = text.slice(valueFrom);
  if (!offsets.isContiguous(valueFrom, text.length)) throw new Unsupported();
  if (/["']/.test(value) || /["']/.test(text.slice(name.from, name.to))) throw new Unsupported();
  return {
    name: text.slice(name.from, name.to),
    value,
    nameStart: offsets.at(name.from)!,
    nameEnd: offsets.at(name.to - 1)! + 1,
    valueStart: offsets.at(valueFrom)!,
    valueEnd: offsets.at(text.length - 1)! + 1,
  };
}

function propertyOf(text: string, offsets: OffsetMap, word: Word): PropertyDetail {
  const raw = text.slice(word.from, word.to);
  const equals = unquotedIndexOf(raw, '=');
  const nameTo = equals === -1 ? word.to : word.from + equals;
  // dockerfile-ast reads quoted names in ways that depend on their surroundings.
  if (nameTo === word.from || /["']/.test(text.slice(word.from, nameTo))) throw new Unsupported();
  const nameStart = offsets.at(word.from)!;
  const nameEnd = offsets.at(nameTo - 1)! + 1;
  if (equals === -1) {
    const name = text.slice(word.from, nameTo);
    return { name, value: undefined, nameStart, nameEnd, valueStart: nameEnd, valueEnd: nameEnd };
  }
  const name = text.slice(word.from, nameTo);
  const valueFrom = nameTo + 1;
  const hasValue = valueFrom < word.to;
  const rawValue = text.slice(valueFrom, word.to);
  // dockerfile-ast keeps quotes that do not enclose the whole value, as in `a=b='c'`.
  if (/["']/.test(rawValue) && !/^(?:"[^"]*"|'[^']*')$/.test(rawValue)) throw new Unsupported();
  return {
    name,
    value: unquote(rawValue),
    nameStart,
    nameEnd,
    valueStart: hasValue ? offsets.at(valueFrom)! : offsets.at(nameTo)! + 1,
    valueEnd: hasValue ? offsets.at(word.to - 1)! + 1 : offsets.at(nameTo)! + 1,
  };
}

/** Splits at blanks outside single or double quotes; an unclosed quote needs dockerfile-ast. */
function splitQuoted(text: string): Word[] {
  const words: Word[] = [];
  let index = 0;
  while (index < text.length) {
    while (index < text.length && (text[index] === ' ' || text[index] === '\t')) index++;
    if (index >= text.length) break;
    const from = index;
    let quote: string | undefined;
    while (index < text.length) {
      const char = text[index]!;
      if (quote) {
        if (char === quote) quote = undefined;
      } else if (char === '"' || char === "'") {
        quote = char;
      } else if (char === ' ' || char === '\t') {
        break;
      }
      index++;
    }
    if (quote) throw new Unsupported();
    words.push({ from, to: index });
  }
  return words;
}

function unquotedIndexOf(text: string, target: string): number {
  let quote: string | undefined;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === target) {
      return index;
    }
  }
  return -1;
}

function unquote(text: string): string {
  return text.replace(/"([^"]*)"|'([^']*)'/g, (_, double, single) => double ?? single ?? '');
}

/** Returns the elements of a JSON array of strings, Docker's exec form, or undefined. */
export function parseExecForm(text: string): string[] | undefined {
  if (!text.startsWith('[')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value) && value.every((element) => typeof element === 'string')) return value;
  } catch {
    // Not valid JSON: Docker runs the text in the shell form.
  }
  return undefined;
}

/** Source spans, quotes included, of the string elements of an exec-form argument text. */
function jsonSpansOf(
  text: string,
  offsets: OffsetMap,
  count: number,
): Array<{ start: number; end: number }> | undefined {
  const spans: Array<{ start: number; end: number }> = [];
  let index = 0;
  while (index < text.length) {
    if (text[index] !== '"') {
      index++;
      continue;
    }
    const from = index;
    index++;
    while (index < text.length && text[index] !== '"') index += text[index] === '\\' ? 2 : 1;
    spans.push({
      start: offsets.at(from)!,
      end: offsets.at(Math.min(index, text.length - 1))! + 1,
    });
    index++;
  }
  return spans.length === count ? spans : undefined;
}

// The loops below compare character codes: indexing a string makes a one-character string
// per step, which costs several times more before the optimizing compiler has run.
const TAB = 9;
const LINE_FEED = 10;
const CARRIAGE_RETURN = 13;
const SPACE = 32;

function skipBlanks(text: string, from: number): number {
  let index = from;
  while (index < text.length && isBlank(text.charCodeAt(index))) index++;
  return index;
}

function lineEnd(text: string, from: number): number {
  let index = from;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code === LINE_FEED || code === CARRIAGE_RETURN) break;
    index++;
  }
  return index;
}

function isBlank(code: number): boolean {
  return code === SPACE || code === TAB;
}

function isSpaceOrBreak(code: number): boolean {
  return code === SPACE || code === TAB || code === LINE_FEED || code === CARRIAGE_RETURN;
}
