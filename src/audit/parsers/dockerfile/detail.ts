import type { Location } from '../../../finding/finding.js';
import type { DockerInstruction } from '../../model/types.js';
import { OffsetMap } from './text.js';

/** A flag as written, such as the second `--mount` of a `RUN`. Offsets are source offsets. */
export interface FlagDetail {
  name: string;
  value: string;
  start: number;
  end: number;
}

/** A `NAME=value` pair of `ARG`, `ENV` or `LABEL`, quotes removed from the value. */
export interface PropertyDetail {
  name: string;
  /** Undefined for `ARG NAME` without a default. */
  value: string | undefined;
  nameStart: number;
  nameEnd: number;
  /** Span of the value as written, quotes included; equal to the name end when there is no value. */
  valueStart: number;
  valueEnd: number;
}

export interface HeredocDetail {
  delimiter: string;
  body: string;
  /** Source offset of the body's first character. */
  bodyStart: number;
  /** False when no line closes the heredoc before the end of the file. */
  closed: boolean;
}

/** Source-level facts about one instruction that the model types do not carry. */
export interface InstructionDetail {
  start: number;
  end: number;
  /** Source offset of each character of `argText`. */
  offsets: OffsetMap;
  /** Source spans of the exec-form elements, quotes included; undefined for the shell form. */
  jsonSpans: Array<{ start: number; end: number }> | undefined;
  flags: FlagDetail[];
  heredocs: HeredocDetail[];
  properties: PropertyDetail[];
}

/**
 * An instruction as the readers make it. The source detail and the results that rules derive
 * from the instruction live in private fields. They stay out of JSON output and of deep equality
 * in tests, and every instruction keeps one shape, so property reads stay fast. Symbol properties
 * added after construction made cache reads about 5% of an audit of 3,500 Dockerfiles.
 */
export class ParsedInstruction implements DockerInstruction {
  keyword: string;
  argText: string;
  args: string[];
  jsonForm: boolean;
  flags: Record<string, string>;
  heredocs: Array<{ delimiter: string; body: string }>;
  location: Location;
  argLocation: Location;
  stage: number;
  readonly #detail: InstructionDetail;
  #cache: unknown[] | undefined = undefined;

  constructor(fields: DockerInstruction, detail: InstructionDetail) {
    this.keyword = fields.keyword;
    this.argText = fields.argText;
    this.args = fields.args;
    this.jsonForm = fields.jsonForm;
    this.flags = fields.flags;
    this.heredocs = fields.heredocs;
    this.location = fields.location;
    this.argLocation = fields.argLocation;
    this.stage = fields.stage;
    this.#detail = detail;
  }

  static detailOf(instruction: DockerInstruction): InstructionDetail | undefined {
    return #detail in instruction ? instruction.#detail : undefined;
  }

  static cacheOf(instruction: DockerInstruction): unknown[] | undefined {
    if (!(#cache in instruction)) return undefined;
    instruction.#cache ??= [];
    return instruction.#cache;
  }
}

/** A place in an instruction's cache for one kind of derived value, made by `cacheSlot`. */
export type CacheSlot<T> = number & { readonly slotOf?: T };

let slotCount = 0;

/** Reserves a cache slot. Modules call this once, at load time. */
export function cacheSlot<T>(): CacheSlot<T> {
  return slotCount++ as CacheSlot<T>;
}

/** Details and caches of instructions built by hand as plain objects, as some tests do. */
const handBuilt = new WeakMap<DockerInstruction, { detail: InstructionDetail; cache: unknown[] }>();

function handBuiltEntry(instruction: DockerInstruction) {
  let entry = handBuilt.get(instruction);
  if (!entry) {
    entry = {
      detail: {
        start: 0,
        end: 0,
        offsets: OffsetMap.constant(instruction.argText.length, 0),
        jsonSpans: undefined,
        flags: [],
        heredocs: [],
        properties: [],
      },
      cache: [],
    };
    handBuilt.set(instruction, entry);
  }
  return entry;
}

/**
 * Returns the source detail of an instruction made by `parseDockerfile`. Instructions built by
 * hand get an empty detail whose offsets all point at offset 0.
 */
export function detailOf(instruction: DockerInstruction): InstructionDetail {
  return ParsedInstruction.detailOf(instruction) ?? handBuiltEntry(instruction).detail;
}

/** Converts a span of `argText` (end exclusive) to source offsets. */
export function argTextToSource(
  instruction: DockerInstruction,
  from: number,
  to: number,
): { start: number; end: number } {
  const { offsets, start } = detailOf(instruction);
  if (offsets.length === 0) return { start, end: start };
  const first = offsets.at(Math.min(Math.max(from, 0), offsets.length - 1))!;
  const last = offsets.at(Math.min(Math.max(to - 1, from, 0), offsets.length - 1))!;
  return { start: first, end: last + 1 };
}

/**
 * Returns the value cached on the instruction in `slot`, computing it with `compute` on first
 * use. Rules use this for results derived from one instruction, such as its shell commands.
 * `compute` is a plain function of its arguments, so that no closure is made per call.
 */
export function cachedOn<T, A>(
  instruction: DockerInstruction,
  slot: CacheSlot<T>,
  compute: (argument: A, instruction: DockerInstruction) => T,
  argument: A,
): T {
  const cache = ParsedInstruction.cacheOf(instruction) ?? handBuiltEntry(instruction).cache;
  const known = cache[slot];
  if (known !== undefined) return known as T;
  const value = compute(argument, instruction);
  cache[slot] = value;
  return value;
}
