import type { Flag, Heredoc, Instruction, JSONArgument, Property } from 'dockerfile-ast';
import type { DockerInstruction, ParseIssue } from '../../model/types.js';
import type { SourceFile } from '../../source.js';
import {
  type FlagDetail,
  type HeredocDetail,
  type InstructionDetail,
  ParsedInstruction,
  type PropertyDetail,
} from './detail.js';
import { flagRecord, parseExecForm } from './scan.js';
import { joinCommandLine, type OffsetTable } from './text.js';

/** What converting one instruction needs from the file being parsed. */
export interface ConvertContext {
  file: SourceFile;
  table: OffsetTable;
  escape: string;
  issues: ParseIssue[];
}

/** Optional accessors that only some dockerfile-ast instruction classes have. */
interface AstAccessors {
  getFlags?: () => Flag[];
  getJSONStrings?: () => JSONArgument[];
  getProperties?: () => Property[];
  getHeredocs?: () => Heredoc[];
}

const EXEC_FORM = new Set(['RUN', 'CMD', 'ENTRYPOINT', 'COPY', 'ADD', 'VOLUME', 'SHELL']);
const WITH_HEREDOCS = new Set(['RUN', 'COPY', 'ADD']);
const WITH_PROPERTIES = new Set(['ARG', 'ENV', 'LABEL']);

/** Converts one dockerfile-ast instruction; accessor failures become parse issues, not throws. */
export function convertInstruction(ast: Instruction, context: ConvertContext): DockerInstruction {
  const { file, table } = context;
  const accessors = ast as unknown as AstAccessors;
  const range = ast.getRange();
  const start = table.offsetAt(range.start);
  const end = Math.max(start, table.offsetAt(range.end));
  const keyword = ast.getKeyword().toUpperCase();
  const location = file.rangeAt(start, end);
  const guard = <T>(read: () => T, fallback: T, what: string): T =>
    guarded(read, fallback, () => context.issues.push(accessorIssue(keyword, what, location)));

  const flags = guard(() => readFlags(accessors, table), [], 'its flags');
  const argsRange = guard(() => ast.getArgumentsRange(), null, 'its arguments');
  const argStart = argsRange ? table.offsetAt(argsRange.start) : end;
  const joined = joinCommandLine(file.text, argStart, end, context.escape);
  const heredocs = WITH_HEREDOCS.has(keyword)
    ? guard(() => readHeredocs(accessors, table, file.text), [], 'its heredoc')
    : [];
  const exec = EXEC_FORM.has(keyword) ? parseExecForm(joined.text) : undefined;
  const jsonSpans = exec
    ? guard(() => readJsonSpans(accessors, table, exec.length), undefined, 'its JSON form')
    : undefined;
  const properties = WITH_PROPERTIES.has(keyword)
    ? guard(() => readProperties(accessors, table), [], 'its name and value pairs')
    : [];

  const fields: DockerInstruction = {
    keyword,
    argText: joined.text,
    args: exec ?? splitWords(joined.text),
    jsonForm: exec !== undefined,
    flags: flagRecord(flags),
    heredocs: heredocs.map((heredoc) => ({ delimiter: heredoc.delimiter, body: heredoc.body })),
    location,
    argLocation:
      joined.offsets.length > 0
        ? file.rangeAt(joined.offsets.at(0)!, joined.offsets.at(joined.offsets.length - 1)! + 1)
        : location,
    stage: -1,
  };
  const detail: InstructionDetail = {
    start,
    end,
    offsets: joined.offsets,
    jsonSpans,
    flags,
    heredocs,
    properties,
  };
  return new ParsedInstruction(fields, detail);
}

function guarded<T>(read: () => T, fallback: T, onError: () => void): T {
  try {
    return read();
  } catch {
    onError();
    return fallback;
  }
}

function accessorIssue(
  keyword: string,
  what: string,
  location: ParseIssue['location'],
): ParseIssue {
  return {
    message: `\`${keyword}\` could not be read: ${what} is malformed`,
    location,
    help:
      what === 'its heredoc'
        ? 'write the heredoc as `<<NAME` at the end of the command line and close it with NAME on a line of its own'
        : `check the syntax of this \`${keyword}\` instruction against the Dockerfile reference`,
  };
}

function readFlags(accessors: AstAccessors, table: OffsetTable): FlagDetail[] {
  if (!accessors.getFlags) return [];
  return accessors.getFlags().map((flag) => {
    const range = flag.getRange();
    return {
      name: flag.getName(),
      value: flag.getValue() ?? '',
      start: table.offsetAt(range.start),
      end: table.offsetAt(range.end),
    };
  });
}

function readHeredocs(
  accessors: AstAccessors,
  table: OffsetTable,
  source: string,
): HeredocDetail[] {
  if (!accessors.getHeredocs) return [];
  return accessors.getHeredocs().map((heredoc) => {
    const content = heredoc.getContentRange();
    const bodyStart = content
      ? table.offsetAt(content.start)
      : table.offsetAt(heredoc.getNameRange().end);
    const bodyEnd = content ? table.offsetAt(content.end) : bodyStart;
    return {
      delimiter: heredoc.getName(),
      body: source.slice(bodyStart, bodyEnd),
      bodyStart,
      closed: heredoc.getDelimiterRange() !== null,
    };
  });
}

function readJsonSpans(
  accessors: AstAccessors,
  table: OffsetTable,
  count: number,
): Array<{ start: number; end: number }> | undefined {
  const strings = accessors.getJSONStrings?.() ?? [];
  if (strings.length !== count) return undefined;
  return strings.map((string) => {
    const range = string.getRange();
    return { start: table.offsetAt(range.start), end: table.offsetAt(range.end) };
  });
}

function readProperties(accessors: AstAccessors, table: OffsetTable): PropertyDetail[] {
  if (!accessors.getProperties) return [];
  return accessors.getProperties().map((property) => {
    const nameRange = property.getNameRange();
    const valueRange = property.getValueRange();
    const nameEnd = table.offsetAt(nameRange.end);
    return {
      name: property.getName(),
      value: property.getValue() ?? undefined,
      nameStart: table.offsetAt(nameRange.start),
      nameEnd,
      valueStart: valueRange ? table.offsetAt(valueRange.start) : nameEnd,
      valueEnd: valueRange ? table.offsetAt(valueRange.end) : nameEnd,
    };
  });
}

function splitWords(text: string): string[] {
  return text.split(/[ \t]+/).filter((word) => word.length > 0);
}
