import { createRequire } from 'node:module';
import type { DockerfileParser as AstParser, Instruction } from 'dockerfile-ast';
import type { Dockerfile, DockerInstruction, ParseIssue } from '../model/types.js';
import type { SourceFile } from '../source.js';
import { checkInstructions } from './dockerfile/checks.js';
import { convertInstruction } from './dockerfile/instruction.js';
import { scanDockerfile } from './dockerfile/scan.js';
import { layOutStages } from './dockerfile/stages.js';
import { OffsetTable } from './dockerfile/text.js';
import { createUserResolver } from './dockerfile/user.js';

export {
  argTextToSource,
  type CacheSlot,
  cachedOn,
  cacheSlot,
  detailOf,
} from './dockerfile/detail.js';
export { isRootUser, knownNonRootUser } from './dockerfile/user.js';

/** Issues kept per file; a binary or unrelated file read as a Dockerfile would yield thousands. */
const MAX_ISSUES = 50;

/**
 * Parses a Dockerfile into instructions and stages with exact source positions. It never
 * throws: syntax that Docker rejects, and input that dockerfile-ast cannot read, become
 * `issues`, and everything that could be read is still returned.
 */
export function parseDockerfile(file: SourceFile, options: ParseOptions = {}): Dockerfile {
  const issues: ParseIssue[] = [];
  const scanned = options.slowPath ? undefined : scanDockerfile(file);
  const { instructions, escapeChar } = scanned
    ? { instructions: scanned, escapeChar: '\\' }
    : readWithAst(file, issues);
  checkInstructions(instructions, file, issues);
  const layout = layOutStages(instructions, file, issues);

  return new ParsedDockerfile({
    file,
    escapeChar,
    globalArgs: layout.globalArgs,
    instructions,
    stages: layout.stages,
    issues: capIssues(issues, file),
    userOf: createUserResolver(layout.stages, layout.globalDefaults),
  });
}

/**
 * A Dockerfile as `parseDockerfile` makes it, with a private cache for values that rules derive
 * from it. A WeakMap keyed by Dockerfile kept each checked Dockerfile alive until a full
 * garbage collection, because young collections do not clear weak keys.
 */
class ParsedDockerfile implements Dockerfile {
  file: SourceFile;
  escapeChar: string;
  globalArgs: DockerInstruction[];
  instructions: DockerInstruction[];
  stages: Dockerfile['stages'];
  issues: ParseIssue[];
  userOf: Dockerfile['userOf'];
  readonly #cache: unknown[] = [];

  constructor(fields: Dockerfile) {
    this.file = fields.file;
    this.escapeChar = fields.escapeChar;
    this.globalArgs = fields.globalArgs;
    this.instructions = fields.instructions;
    this.stages = fields.stages;
    this.issues = fields.issues;
    this.userOf = fields.userOf;
  }

  static cacheOf(dockerfile: Dockerfile): unknown[] | undefined {
    return #cache in dockerfile ? dockerfile.#cache : undefined;
  }
}

const handBuiltCaches = new WeakMap<Dockerfile, unknown[]>();

/** Returns the cache of values derived from a Dockerfile, indexed by `cacheSlot` numbers. */
export function dockerfileCache(dockerfile: Dockerfile): unknown[] {
  const parsed = ParsedDockerfile.cacheOf(dockerfile);
  if (parsed) return parsed;
  let cache = handBuiltCaches.get(dockerfile);
  if (!cache) {
    cache = [];
    handBuiltCaches.set(dockerfile, cache);
  }
  return cache;
}

export interface ParseOptions {
  /** Parses with dockerfile-ast even when the fast reader could read the file. */
  slowPath?: boolean;
}

function readWithAst(
  file: SourceFile,
  issues: ParseIssue[],
): { instructions: DockerInstruction[]; escapeChar: string } {
  const astInstructions = readAst(file, issues);
  const escapeChar = astInstructions.escape;
  const context = { file, table: new OffsetTable(file.text), escape: escapeChar, issues };
  const instructions: DockerInstruction[] = [];
  for (const ast of astInstructions.instructions) {
    const converted = convertSafely(ast, context);
    if (converted) instructions.push(converted);
  }
  return { instructions, escapeChar };
}

// dockerfile-ast is loaded on first use, because most runs never need it and loading it cost
// about 0.1 s of CPU time on every start (measured on a one-project audit, 2-core machine).
const require = createRequire(import.meta.url);
let astParser: typeof AstParser | undefined;

function loadAstParser(): typeof AstParser {
  astParser ??= (require('dockerfile-ast') as typeof import('dockerfile-ast')).DockerfileParser;
  return astParser;
}

function readAst(
  file: SourceFile,
  issues: ParseIssue[],
): { instructions: Instruction[]; escape: string } {
  try {
    const ast = loadAstParser().parse(file.text);
    const directive = ast.getEscapeCharacter();
    return { instructions: ast.getInstructions(), escape: directive === '`' ? '`' : '\\' };
  } catch (error) {
    issues.push({
      message: `the Dockerfile could not be parsed: ${(error as Error).message}`,
      location: file.fileStart(),
      help: 'check the file against the Dockerfile reference; this may also be a bug in InfraPrime',
    });
    return { instructions: [], escape: '\\' };
  }
}

function convertSafely(ast: Instruction, context: Parameters<typeof convertInstruction>[1]) {
  try {
    return convertInstruction(ast, context);
  } catch (error) {
    const line = safeStartLine(ast);
    context.issues.push({
      message: `an instruction could not be read: ${(error as Error).message}`,
      location: context.file.lineAt(line),
      help: 'check this instruction, and any heredoc in it, against the Dockerfile reference',
    });
    return undefined;
  }
}

function safeStartLine(ast: Instruction): number {
  try {
    return ast.getRange().start.line + 1;
  } catch {
    return 1;
  }
}

function capIssues(issues: ParseIssue[], file: SourceFile): ParseIssue[] {
  if (issues.length <= MAX_ISSUES) return issues;
  const kept = issues.slice(0, MAX_ISSUES);
  kept.push({
    message: `${issues.length - MAX_ISSUES} more problems in this file are not listed`,
    location: file.fileStart(),
    help: 'check that this file is a Dockerfile; fix the problems listed above and audit again',
  });
  return kept;
}
