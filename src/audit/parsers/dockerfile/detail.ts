import type { DockerInstruction } from '../../model/types.js';

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
  offsets: Int32Array;
  /** Source spans of the exec-form elements, quotes included; undefined for the shell form. */
  jsonSpans: Array<{ start: number; end: number }> | undefined;
  flags: FlagDetail[];
  heredocs: HeredocDetail[];
  properties: PropertyDetail[];
}

// A non-enumerable symbol property, not a WeakMap: an audit of thousands of Dockerfiles makes
// tens of thousands of instructions, and WeakMap entries made garbage collection a tenth of its
// time. The property stays out of JSON output and of deep equality in tests.
const DETAIL = Symbol('instruction detail');

type WithDetail = DockerInstruction & { [DETAIL]?: InstructionDetail };

export function attachDetail(instruction: DockerInstruction, detail: InstructionDetail): void {
  Object.defineProperty(instruction, DETAIL, { value: detail, enumerable: false, writable: true });
}

/**
 * Returns the source detail of an instruction made by `parseDockerfile`. Instructions built by
 * hand, as some tests do, get an empty detail whose offsets all point at offset 0.
 */
export function detailOf(instruction: DockerInstruction): InstructionDetail {
  const known = (instruction as WithDetail)[DETAIL];
  if (known) return known;
  const empty: InstructionDetail = {
    start: 0,
    end: 0,
    offsets: new Int32Array(instruction.argText.length),
    jsonSpans: undefined,
    flags: [],
    heredocs: [],
    properties: [],
  };
  attachDetail(instruction, empty);
  return empty;
}

/** Converts a span of `argText` (end exclusive) to source offsets. */
export function argTextToSource(
  instruction: DockerInstruction,
  from: number,
  to: number,
): { start: number; end: number } {
  const { offsets, start } = detailOf(instruction);
  if (offsets.length === 0) return { start, end: start };
  const first = offsets[Math.min(Math.max(from, 0), offsets.length - 1)]!;
  const last = offsets[Math.min(Math.max(to - 1, from, 0), offsets.length - 1)]!;
  return { start: first, end: last + 1 };
}

/**
 * Returns the value cached on the instruction under `key`, computing it on first use. Rules use
 * this for results derived from one instruction, such as its shell commands; like the detail, the
 * value is a non-enumerable property.
 */
export function cachedOn<T>(instruction: DockerInstruction, key: symbol, compute: () => T): T {
  const holder = instruction as unknown as Record<symbol, T | undefined>;
  const known = holder[key];
  if (known !== undefined) return known;
  const value = compute();
  Object.defineProperty(instruction, key, { value, enumerable: false });
  return value;
}
