import type { Node, Pair, YAMLError, YAMLMap, YAMLParseError } from 'yaml';
import type { Location } from '../../finding/finding.js';
import type { ParseIssue, YamlFile } from '../model/types.js';
import type { SourceFile } from '../source.js';
import { yamlLib } from './yaml-lib.js';

export type YamlPath = ReadonlyArray<string | number>;

/** A node carrying a tag outside the YAML core schema, such as Compose's `!reset`. */
export interface CustomTag {
  path: Array<string | number>;
  tag: string;
}

/**
 * Nodes that alias expansion may create in one document. Real configuration files stay far
 * below it; a billion-laughs document reaches it after a few levels and is rejected.
 */
export const MAX_ALIAS_EXPANSION = 100_000;

/** Nesting depth past which values are dropped. Flow collections stop earlier, at MAX_FLOW_DEPTH. */
export const MAX_NESTING_DEPTH = 1_000;

const customTagsByFile = new WeakMap<YamlFile, CustomTag[][]>();

/** Returns the nodes of document `doc` whose tag is not a core-schema tag, by value path. */
export function customTagsOf(file: YamlFile, doc = 0): CustomTag[] {
  return customTagsByFile.get(file)?.[doc] ?? [];
}

/** Parses a YAML stream, resolving aliases and `<<` merge keys, and keeps a way back to spans. */
export function parseYaml(file: SourceFile): YamlFile {
  const issues: ParseIssue[] = [];
  const tooDeepAt = flowNestingBeyond(file.text, MAX_FLOW_DEPTH);
  if (tooDeepAt !== undefined) {
    issues.push(tooDeepIssue(file, tooDeepAt, tooDeepAt + 1));
    return { file, documents: [], issues, locate: () => undefined };
  }
  // The yaml package's `uniqueKeys` compares each key with every earlier key of its mapping,
  // which is quadratic in the mapping's size, so duplicateKeyErrors does that check instead.
  const parsed = yamlLib().parseAllDocuments(file.text, {
    merge: true,
    prettyErrors: false,
    strict: true,
    uniqueKeys: false,
  });
  // An empty stream carries its errors on the stream itself.
  const documents = 'empty' in parsed ? [] : parsed;
  if ('empty' in parsed) {
    for (const error of parsed.errors) issues.push(issueOfYamlError(file, error));
  }

  const values: unknown[] = [];
  const tags: CustomTag[][] = [];
  const aliasTargets: Array<Map<Node, Node>> = [];
  for (const document of documents) {
    for (const error of document.errors) issues.push(issueOfYamlError(file, error));
    for (const error of duplicateKeyErrors(document.contents)) {
      issues.push(issueOfYamlError(file, error));
    }
    const targets = resolveAnchors(document.contents);
    aliasTargets.push(targets);
    const converter = new Converter(file, targets);
    values.push(converter.convertDocument(document.contents));
    issues.push(...converter.issues);
    tags.push(converter.tags);
  }
  // A document nested too deep fails at many positions, so only the first issue is kept, and
  // the converter's own depth issue adds nothing to it.
  const tooDeep = issues.filter((issue) => issue.message.endsWith(TOO_DEEP));
  const repeated = new Set(tooDeep.slice(1));
  if (tooDeep.length > 0) {
    for (const issue of issues) if (issue.message.endsWith(DROPPED_DEEPER)) repeated.add(issue);
  }
  for (const issue of repeated) issues.splice(issues.indexOf(issue), 1);

  const locate = (path: YamlPath, part: 'key' | 'value' = 'key', doc = 0): Location | undefined => {
    const document = documents[doc];
    const targets = aliasTargets[doc];
    if (!document || !targets) return undefined;
    const span = locateNode(document.contents as Node | null, path, part, targets);
    return span ? file.rangeAt(span[0], trimmedEnd(file.text, span[0], span[1])) : undefined;
  };
  const result: YamlFile = { file, documents: values, issues, locate };
  customTagsByFile.set(result, tags);
  return result;
}

// ---------------------------------------------------------------- errors

const YAML_HELP: Record<string, string> = {
  BAD_INDENT: 'indent the entry to the same column as its siblings, using spaces',
  TAB_AS_INDENT: 'indent with spaces: YAML does not allow tabs for indentation',
  DUPLICATE_KEY: 'remove or rename one of the duplicate keys; only one value can be kept',
  MISSING_CHAR: 'add the missing closing character, such as a quote, `]` or `}`',
  MULTILINE_IMPLICIT_KEY: 'put the key on one line, or quote it',
  BLOCK_AS_IMPLICIT_KEY: 'put a mapping or sequence used as a key on one line, or restructure it',
  UNEXPECTED_TOKEN:
    'check the line for a stray character, an unquoted `:` or `#`, or a missing quote',
  BAD_ALIAS: 'define the anchor (`&name`) before the alias (`*name`) that uses it',
  BAD_DQ_ESCAPE: 'use a valid escape in the double-quoted string, or switch to single quotes',
  BAD_SCALAR_START: 'quote a value that starts with `@`, `` ` `` or another reserved character',
  BLOCK_IN_FLOW: 'write collections inside `[...]` or `{...}` in flow style too',
  KEY_OVER_1024_CHARS: 'shorten the key, or use an explicit `? key` entry',
  MULTIPLE_ANCHORS: 'give the node only one anchor',
  MULTIPLE_TAGS: 'give the node only one tag',
  MULTIPLE_DOCS: 'separate documents with a `---` line',
  BAD_DIRECTIVE: 'fix or remove the `%` directive line',
  TAG_RESOLVE_FAILED: 'check the tag, or remove it',
};

const TOO_DEEP = 'is too deep for the parser to read';
const DROPPED_DEEPER = 'deeper values were dropped';

function tooDeepIssue(file: SourceFile, start: number, end: number): ParseIssue {
  return {
    message: `YAML nesting in '${file.path}' ${TOO_DEEP}`,
    location: file.rangeAt(start, end),
    help: 'keep nesting to a few dozen levels, as real configuration does',
  };
}

/**
 * Depth of `[` and `{` collections past which a file is not parsed. The yaml package parses flow
 * collections by recursion and overflows the stack near 800 levels. A second overflow in one
 * process can then abort V8 while it compiles one of the package's regular expressions.
 */
export const MAX_FLOW_DEPTH = 256;

/**
 * Returns the offset where flow collections nest deeper than `limit`, or undefined. Quoted
 * scalars and comments are skipped. Brackets inside block scalars are counted, so a block
 * scalar of hundreds of unmatched `[` is rejected too.
 */
function flowNestingBeyond(text: string, limit: number): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x5b || code === 0x7b) {
      depth++;
      if (depth > limit) return i;
    } else if (code === 0x5d || code === 0x7d) {
      if (depth > 0) depth--;
    } else if ((code === 0x22 || code === 0x27) && startsScalar(text, i)) {
      i = closingQuote(text, i);
    } else if (code === 0x23 && (i === 0 || isBlank(text.charCodeAt(i - 1)))) {
      const newline = text.indexOf('\n', i);
      if (newline === -1) return undefined;
      i = newline;
    }
  }
  return undefined;
}

/** True when a quote at `at` opens a quoted scalar, not one inside a plain scalar such as `it's`. */
function startsScalar(text: string, at: number): boolean {
  if (at === 0) return true;
  const before = text.charCodeAt(at - 1);
  // Blanks, `[`, `{`, `,`, `:`, `-` and `?` come before a scalar.
  return isBlank(before) || [0x5b, 0x7b, 0x2c, 0x3a, 0x2d, 0x3f].includes(before);
}

/** Returns the offset of the quote that closes the one at `at`, escapes included, or the end. */
function closingQuote(text: string, at: number): number {
  const quote = text[at]!;
  let index = at + 1;
  while (index < text.length) {
    const char = text[index]!;
    if (char === '\\' && quote === '"') index += 2;
    else if (char === quote && quote === "'" && text[index + 1] === "'") index += 2;
    else if (char === quote) return index;
    else index++;
  }
  return text.length;
}

function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

function issueOfYamlError(file: SourceFile, error: YAMLError): ParseIssue {
  const [start, end] = error.pos;
  // The yaml package runs out of stack before MAX_NESTING_DEPTH, at a depth that depends on the
  // style of the collections.
  if (/call stack|stack overflow/i.test(error.message)) return tooDeepIssue(file, start, end);
  const message = error.message.replace(/ at line \d+, column \d+[\s\S]*$/, '');
  const help =
    unclosedFlowHelp(message) ?? YAML_HELP[error.code] ?? 'fix the YAML syntax at this position';
  return {
    message: `invalid YAML in '${file.path}': ${message}`,
    location: file.rangeAt(start, Math.max(end, start + 1)),
    help,
  };
}

/** Returns help for an unclosed `[` or `{`, which the yaml package reports as BAD_INDENT. */
function unclosedFlowHelp(message: string): string | undefined {
  const pattern = /^Flow (?:sequence|map) in block collection .* end with a ([\]}])$/;
  const closing = pattern.exec(message)?.[1];
  if (!closing) return undefined;
  const opening = closing === ']' ? '[' : '{';
  return `close the \`${opening}\` with \`${closing}\`, and indent its continuation lines deeper than the key`;
}

/**
 * Finds keys written twice in one mapping, with the rule and error of the yaml package's
 * `uniqueKeys` option: scalar keys with equal values, merge keys excepted. Walks with an
 * explicit stack so depth cannot overflow.
 */
function duplicateKeyErrors(root: unknown): YAMLParseError[] {
  const errors: YAMLParseError[] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (yamlLib().isPair(node)) {
      stack.push(node.value, node.key);
      continue;
    }
    if (!yamlLib().isMap(node) && !yamlLib().isSeq(node)) continue;
    if (yamlLib().isMap(node)) addRepeatedKeys(node, errors);
    for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
  }
  return errors;
}

function addRepeatedKeys(map: YAMLMap, errors: YAMLParseError[]): void {
  const seen = new Set<unknown>();
  for (const { key } of map.items) {
    if (!yamlLib().isScalar(key) || isMergeKey(key) || Number.isNaN(key.value)) continue;
    if (!seen.has(key.value)) {
      seen.add(key.value);
      continue;
    }
    const start = key.range?.[0] ?? 0;
    errors.push(
      new (yamlLib().YAMLParseError)(
        [start, start + 1],
        'DUPLICATE_KEY',
        'Map keys must be unique',
      ),
    );
  }
}

// ---------------------------------------------------------------- anchors and aliases

/**
 * Maps each alias node to the node it refers to: the last node before it, in document order,
 * whose anchor has the same name. Walks with an explicit stack so depth cannot overflow.
 */
function resolveAnchors(root: unknown): Map<Node, Node> {
  const targets = new Map<Node, Node>();
  const anchors = new Map<string, Node>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (yamlLib().isPair(node)) {
      stack.push(node.value, node.key);
      continue;
    }
    if (yamlLib().isAlias(node)) {
      const target = anchors.get(node.source);
      if (target) targets.set(node, target);
      continue;
    }
    if (!yamlLib().isScalar(node) && !yamlLib().isMap(node) && !yamlLib().isSeq(node)) continue;
    if (node.anchor) anchors.set(node.anchor, node);
    if (yamlLib().isMap(node) || yamlLib().isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
    }
  }
  return targets;
}

function deref(node: unknown, targets: Map<Node, Node>): unknown {
  let current = node;
  for (let hops = 0; yamlLib().isAlias(current) && hops < 100; hops++)
    current = targets.get(current);
  return yamlLib().isAlias(current) ? undefined : current;
}

function isMergeKey(key: unknown): boolean {
  if (!yamlLib().isScalar(key)) return false;
  return typeof key.value === 'symbol' || (key.value === '<<' && key.type === 'PLAIN');
}

function keyText(key: unknown): string {
  if (yamlLib().isScalar(key)) return key.value === null ? '' : String(key.value);
  if (key === null || key === undefined) return '';
  return String(key);
}

/** Merge sources of a `<<` value: one mapping, or a sequence of mappings, aliases resolved. */
function mergeSources(value: unknown, targets: Map<Node, Node>): YAMLMap[] {
  const source = deref(value, targets);
  const items = yamlLib().isSeq(source)
    ? source.items.map((item) => deref(item, targets))
    : [source];
  return items.filter((item): item is YAMLMap => yamlLib().isMap(item));
}

// ---------------------------------------------------------------- locate

/** The pairs of one mapping: explicit keys by text, the last one written winning, and `<<` entries. */
interface KeyIndex {
  keys: Map<string, Pair>;
  merges: Pair[];
}

const keyIndexes = new WeakMap<YAMLMap, KeyIndex>();

/** Indexes a mapping's keys on first use, so that locating every key of a large mapping stays linear. */
function keyIndexOf(map: YAMLMap): KeyIndex {
  let index = keyIndexes.get(map);
  if (index) return index;
  index = { keys: new Map(), merges: [] };
  for (const pair of map.items) {
    if (isMergeKey(pair.key)) index.merges.push(pair);
    else index.keys.set(keyText(pair.key), pair);
  }
  keyIndexes.set(map, index);
  return index;
}

/** Finds the pair for `key`: explicit keys first (the last one wins), then merge sources in order. */
function findPair(
  map: YAMLMap,
  key: string,
  targets: Map<Node, Node>,
  seen: Set<YAMLMap>,
): Pair | undefined {
  if (seen.has(map)) return undefined;
  seen.add(map);
  const index = keyIndexOf(map);
  const pair = index.keys.get(key);
  if (pair) return pair;
  for (const merge of index.merges) {
    for (const source of mergeSources(merge.value, targets)) {
      const found = findPair(source, key, targets, seen);
      if (found) return found;
    }
  }
  return undefined;
}

type Span = [number, number];

function spanOf(node: unknown): Span | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? [range[0], range[1]] : undefined;
}

function locateNode(
  root: Node | null,
  path: YamlPath,
  part: 'key' | 'value',
  targets: Map<Node, Node>,
): Span | undefined {
  let node: unknown = root;
  let written: unknown = root;
  for (const segment of path) {
    const container = deref(node, targets);
    if (yamlLib().isMap(container)) {
      const pair = findPair(container, String(segment), targets, new Set());
      if (!pair) return undefined;
      written = pair.key;
      node = pair.value;
    } else if (yamlLib().isSeq(container)) {
      const index =
        typeof segment === 'number' ? segment : /^\d+$/.test(segment) ? Number(segment) : -1;
      const item = container.items[index];
      if (item === undefined) return undefined;
      written = item;
      node = item;
    } else {
      return undefined;
    }
  }
  if (part === 'key') return spanOf(written) ?? spanOf(deref(node, targets));
  const value = deref(node, targets);
  const valueSpan = spanOf(value);
  const isEmpty =
    yamlLib().isScalar(value) && value.value === null && valueSpan && valueSpan[0] === valueSpan[1];
  return isEmpty || !valueSpan ? spanOf(written) : valueSpan;
}

/** Moves a span's end back over trailing blanks and line breaks that the parser includes. */
function trimmedEnd(text: string, start: number, end: number): number {
  let trimmed = end;
  while (trimmed > start && /\s/.test(text[trimmed - 1]!)) trimmed--;
  return trimmed;
}

// ---------------------------------------------------------------- conversion to plain values

class AliasBudgetError extends Error {
  constructor(readonly node: Node) {
    super('alias expansion budget exceeded');
  }
}

/** Sets an own property, so that keys such as `__proto__` stay data. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

/** Converts a parsed document to plain values, applying merge keys and copying aliased nodes. */
class Converter {
  readonly issues: ParseIssue[] = [];
  readonly tags: CustomTag[] = [];
  private readonly active = new Set<Node>();
  private readonly path: Array<string | number> = [];
  private aliasDepth = 0;
  private expanded = 0;
  private depthReported = false;

  constructor(
    private readonly file: SourceFile,
    private readonly targets: Map<Node, Node>,
  ) {}

  convertDocument(contents: unknown): unknown {
    try {
      return this.convert(contents, 0);
    } catch (error) {
      if (!(error instanceof AliasBudgetError)) throw error;
      this.issues.push({
        message: `aliases in '${this.file.path}' expand to more than ${MAX_ALIAS_EXPANSION.toLocaleString('en-US')} nodes, as in a billion-laughs attack`,
        location: this.locationOf(error.node),
        help: 'write the repeated values out, or reuse them through fewer nested aliases',
      });
      return null;
    }
  }

  private convert(node: unknown, depth: number): unknown {
    if (node === null || node === undefined) return null;
    if (depth > MAX_NESTING_DEPTH) {
      this.reportDepth(node as Node);
      return null;
    }
    if (this.aliasDepth > 0 && ++this.expanded > MAX_ALIAS_EXPANSION) {
      throw new AliasBudgetError(node as Node);
    }
    if (yamlLib().isAlias(node)) return this.convertAlias(node, depth);
    this.noteTag(node as Node);
    if (yamlLib().isScalar(node)) return typeof node.value === 'symbol' ? '<<' : node.value;
    if (yamlLib().isSeq(node)) {
      const items: unknown[] = [];
      node.items.forEach((item, index) => {
        this.path.push(index);
        items.push(this.convert(item, depth + 1));
        this.path.pop();
      });
      return items;
    }
    if (yamlLib().isMap(node)) return this.convertMap(node, depth);
    return null;
  }

  private convertAlias(node: Node & { source: string }, depth: number): unknown {
    const target = this.targets.get(node);
    if (!target) {
      this.issues.push({
        message: `alias '*${node.source}' in '${this.file.path}' refers to no anchor before it`,
        location: this.locationOf(node),
        help: `define '&${node.source}' on a node earlier in the document`,
      });
      return null;
    }
    if (this.active.has(target)) {
      this.issues.push({
        message: `alias '*${node.source}' in '${this.file.path}' refers to a node that contains it`,
        location: this.locationOf(node),
        help: 'an alias cannot repeat the node it sits in; move the alias outside the anchored node',
      });
      return null;
    }
    this.aliasDepth++;
    try {
      return this.convert(target, depth + 1);
    } finally {
      this.aliasDepth--;
    }
  }

  private convertMap(node: YAMLMap, depth: number): Record<string, unknown> {
    this.active.add(node);
    const result: Record<string, unknown> = {};
    const merged: Record<string, unknown> = {};
    let hasMerge = false;
    for (const pair of node.items) {
      if (isMergeKey(pair.key)) {
        hasMerge = true;
        this.applyMerge(pair, merged, depth);
        continue;
      }
      const key = keyText(pair.key);
      this.path.push(key);
      setOwn(result, key, this.convert(pair.value, depth + 1));
      this.path.pop();
    }
    this.active.delete(node);
    if (!hasMerge) return result;
    for (const key of Object.keys(result)) setOwn(merged, key, result[key]);
    return merged;
  }

  /** Applies one `<<` entry: keys from earlier sources win over later ones. */
  private applyMerge(pair: Pair, merged: Record<string, unknown>, depth: number): void {
    const source = deref(pair.value, this.targets);
    const items = yamlLib().isSeq(source) ? source.items : [pair.value];
    for (const item of items) {
      const value = this.convert(item, depth + 1);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        this.issues.push({
          message: `merge key '<<' in '${this.file.path}' needs a mapping or a list of mappings`,
          location: this.locationOf((item as Node | null) ?? (pair.key as Node)),
          help: 'point `<<` at an anchored mapping, as in `<<: *defaults` or `<<: [*a, *b]`',
        });
        continue;
      }
      for (const [key, entry] of Object.entries(value)) {
        if (!Object.hasOwn(merged, key)) setOwn(merged, key, entry);
      }
    }
  }

  private noteTag(node: Node): void {
    const tag = node.tag;
    if (tag?.startsWith('!') && !tag.startsWith('!!')) {
      this.tags.push({ path: [...this.path], tag });
    }
  }

  private reportDepth(node: Node): void {
    if (this.depthReported) return;
    this.depthReported = true;
    this.issues.push({
      message: `YAML nesting in '${this.file.path}' is deeper than ${MAX_NESTING_DEPTH} levels; ${DROPPED_DEEPER}`,
      location: this.locationOf(node),
      help: 'flatten the structure; real configuration needs a few dozen levels at most',
    });
  }

  private locationOf(node: Node | null | undefined): Location {
    const span = spanOf(node);
    return span
      ? this.file.rangeAt(span[0], Math.max(span[1], span[0] + 1))
      : this.file.fileStart();
  }
}
