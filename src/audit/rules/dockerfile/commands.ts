import type { Location } from '../../../finding/finding.js';
import type { Dockerfile, DockerInstruction } from '../../model/types.js';
import { argTextToSource, cachedOn, cacheSlot, detailOf } from '../../parsers/dockerfile.js';
import {
  backquotedEnd,
  balancedEnd,
  type ShellWord,
  type Substitution,
  splitShellCommands,
} from '../../parsers/shell.js';

/** A simple command of a `RUN`, with source offsets, wrappers such as `sudo` removed. */
export interface RunCommand {
  /** Command name without its directory: `apt-get` for `/usr/bin/apt-get`. */
  name: string;
  /** Argument values after the name, quotes removed. */
  args: string[];
  /** Assignments before the command, such as `PIP_NO_CACHE_DIR=1`. */
  assignments: ReadonlyMap<string, string>;
  /** Wrapper commands that ran it, such as `sudo` or `env`, outermost first. */
  wrappers: string[];
  /** The user and group of the innermost `sudo` wrapper. Undefined without `sudo`. */
  sudo: SudoTarget | undefined;
  /** Commands of one `RUN` that share this number are joined by pipes. */
  pipeline: number;
  /** Source offsets of the whole command. */
  start: number;
  end: number;
  location: Location;
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh', 'mksh']);
const WRAPPERS = new Set([
  'sudo',
  'env',
  'nohup',
  'exec',
  'command',
  'nice',
  'time',
  'xargs',
  'doas',
]);
/** Short options of each wrapper that take a value, joined (`-uapp`) or as the next word. */
const SHORT_VALUE_OPTIONS: Record<string, string> = {
  sudo: 'ugCDhprtUTR',
  env: 'uCS',
  nice: 'n',
  xargs: 'adEILnPs',
  doas: 'uC',
};
/** Long options of each wrapper that take the next word as their value when written without `=`. */
const LONG_VALUE_OPTIONS: Record<string, Set<string>> = {
  sudo: new Set([
    '--user',
    '--group',
    '--chdir',
    '--chroot',
    '--close-from',
    '--command-timeout',
    '--host',
    '--other-user',
    '--prompt',
    '--role',
    '--type',
  ]),
  env: new Set(['--unset', '--chdir', '--split-string']),
  nice: new Set(['--adjustment']),
  xargs: new Set([
    '--arg-file',
    '--delimiter',
    '--eof',
    '--max-args',
    '--max-lines',
    '--max-procs',
  ]),
};

/** The user and group that `sudo -u USER -g GROUP` requests. No user and no group means root. */
export interface SudoTarget {
  user: string | undefined;
  group: string | undefined;
}

/** Wrappers and `sudo` of an outer command, which the commands of its `sh -c` script inherit. */
interface Outer {
  wrappers: string[];
  sudo: SudoTarget | undefined;
}

/** A piece of shell text and the map from its offsets to source offsets. */
interface Script {
  text: string;
  toSource(from: number, to: number): { start: number; end: number };
  /** True for a substitution starting at `start` that an outer shell already ran. */
  ranOutside?(start: number): boolean;
}

const RUN_COMMANDS = cacheSlot<RunCommand[]>();

/**
 * Returns the simple commands a `RUN` executes: those of its shell-form command line, of a
 * heredoc that the shell runs as a script, of an exec-form array, and of `sh -c` scripts
 * inside any of them. Results are cached per instruction.
 */
export function runCommands(
  dockerfile: Dockerfile,
  instruction: DockerInstruction,
): readonly RunCommand[] {
  if (instruction.keyword !== 'RUN') return [];
  return cachedOn(instruction, RUN_COMMANDS, computeRunCommands, dockerfile);
}

function computeRunCommands(dockerfile: Dockerfile, instruction: DockerInstruction): RunCommand[] {
  const commands: RunCommand[] = [];
  const state = { pipeline: 0 };
  const outer: Outer = { wrappers: [], sudo: undefined };
  for (const script of scriptsOf(instruction)) {
    collect(dockerfile, script, commands, state, 0, outer);
  }
  return commands;
}

function scriptsOf(instruction: DockerInstruction): Script[] {
  const detail = detailOf(instruction);
  if (instruction.jsonForm) return [execScript(instruction)];

  const scripts: Script[] = [
    {
      text: instruction.argText,
      toSource: (from, to) => argTextToSource(instruction, from, to),
    },
  ];
  if (detail.heredocs.length > 0 && heredocsAreScripts(instruction.argText)) {
    for (const heredoc of detail.heredocs) {
      if (/^#!(?!.*\b(ba|da|a|z|k)?sh\b)/.test(heredoc.body)) continue;
      scripts.push({
        text: heredoc.body,
        toSource: (from, to) => ({ start: heredoc.bodyStart + from, end: heredoc.bodyStart + to }),
      });
    }
  }
  return scripts;
}

/** True when the command line is only heredoc operators, or a shell that reads them as input. */
function heredocsAreScripts(commandLine: string): boolean {
  const commands = splitShellCommands(commandLine);
  if (commands.length === 0) return true;
  return commands.some((command) => {
    const name = baseName(command.words[0]?.value ?? '');
    return SHELLS.has(name) && !command.words.some((word) => /^-[a-z]*c[a-z]*$/.test(word.value));
  });
}

/**
 * Builds the exec form as one line of words, each mapped to its JSON string in the source. A
 * range inside one word maps to the characters of that word's JSON string, escapes included.
 */
function execScript(instruction: DockerInstruction): Script {
  const spans = detailOf(instruction).jsonSpans;
  const quoted = instruction.args.map((arg) => `'${arg.replaceAll("'", "'\\''")}'`);
  const starts: number[] = [];
  let text = '';
  for (const word of quoted) {
    starts.push(text.length);
    text += `${word} `;
  }
  // The JSON strings in the joined argument text, which the offset map ties to the source
  // across line continuations.
  const literals = jsonLiterals(instruction.argText);
  return {
    text,
    toSource: (from, to) => {
      if (!spans) return argTextToSource(instruction, 0, instruction.argText.length);
      const first = indexAt(starts, from);
      const last = indexAt(starts, Math.max(from, to - 1));
      const literal = literals[first];
      if (first !== last || to <= from || literals.length !== spans.length || !literal) {
        return { start: spans[first]!.start, end: spans[last]!.end };
      }
      const argAt = quotedToArg(instruction.args[first]!);
      const jsonAt = jsonStringOffsets(instruction.argText.slice(literal.start, literal.end));
      const argFrom = argAt[from - starts[first]!]!;
      const argTo = argAt[to - 1 - starts[first]!]! + 1;
      return argTextToSource(
        instruction,
        literal.start + jsonAt[argFrom]!,
        literal.start + jsonAt[argTo]!,
      );
    },
  };
}

/** Returns the spans of the JSON strings in an exec form's argument text, quotes included. */
function jsonLiterals(text: string): Array<{ start: number; end: number }> {
  const literals: Array<{ start: number; end: number }> = [];
  let index = text.indexOf('"');
  while (index !== -1) {
    let end = index + 1;
    while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
    literals.push({ start: index, end: Math.min(end + 1, text.length) });
    index = text.indexOf('"', end + 1);
  }
  return literals;
}

/**
 * Returns, for each character of a word quoted as `'arg'` with `'\''` for each quote, the index
 * of the character of `arg` it belongs to. The quotes around the word belong to its ends.
 */
function quotedToArg(arg: string): number[] {
  const indexes: number[] = [0];
  for (let index = 0; index < arg.length; index++) {
    if (arg[index] === "'") indexes.push(index, index, index, index);
    else indexes.push(index);
  }
  indexes.push(Math.max(arg.length - 1, 0));
  return indexes;
}

/**
 * Returns, for each character of a JSON string's value and for its end, the offset of that
 * character in the string's source text `"..."`, so `\"` and `\u0041` map to their start.
 */
function jsonStringOffsets(json: string): number[] {
  const offsets: number[] = [];
  let index = 1;
  while (index < json.length - 1) {
    offsets.push(index);
    if (json[index] !== '\\') index += 1;
    else if (json[index + 1] === 'u') index += 6;
    else index += 2;
  }
  offsets.push(Math.min(index, json.length - 1));
  return offsets;
}

function indexAt(starts: number[], offset: number): number {
  let index = 0;
  while (index + 1 < starts.length && starts[index + 1]! <= offset) index++;
  return index;
}

function collect(
  dockerfile: Dockerfile,
  script: Script,
  commands: RunCommand[],
  state: { pipeline: number },
  depth: number,
  outer: Outer,
): void {
  let lastPipeline = -1;
  // Substitution scripts are read after this script, so their pipelines do not split its own.
  const substituted: Script[] = [];
  for (const command of splitShellCommands(script.text)) {
    for (const substitution of command.substitutions) {
      if (script.ranOutside?.(substitution.start)) continue;
      substituted.push(innerScript(script, substitution.start, substitution.end));
    }
    if (command.pipeline !== lastPipeline) {
      state.pipeline++;
      lastPipeline = command.pipeline;
    }
    const unwrapped = unwrap(command.words);
    // Most commands have no assignments and no wrappers, so they share empty ones.
    const assignments =
      command.assignments.length > 0 || unwrapped.assigned.length > 0
        ? new Map([
            ...command.assignments.map((word) => splitAssignment(word.value)),
            ...unwrapped.assigned,
          ])
        : NO_ASSIGNMENTS;
    const words = unwrapped.words;
    const wrappers =
      outer.wrappers.length === 0 ? unwrapped.wrappers : [...outer.wrappers, ...unwrapped.wrappers];
    const sudo = unwrapped.wrappers.includes('sudo') ? unwrapped.sudo : outer.sudo;
    const inner = shellScriptArgument(words);
    if (inner && depth < 3) {
      const nested = nestedScript(script, inner, command.substitutions);
      collect(dockerfile, nested, commands, state, depth + 1, { wrappers, sudo });
      continue;
    }
    if (words.length === 0) continue;
    const span = script.toSource(command.start, command.end);
    commands.push({
      name: baseName(words[0]!.value),
      args: words.slice(1).map((word) => word.value),
      assignments,
      wrappers,
      sudo,
      pipeline: state.pipeline,
      start: span.start,
      end: span.end,
      location: dockerfile.file.rangeAt(span.start, span.end),
    });
  }
  // A substitution runs in the shell of its command, without that command's wrappers: in
  // `sudo echo $(make)`, make does not run through sudo.
  if (depth < 3) {
    for (const inner of substituted) collect(dockerfile, inner, commands, state, depth + 1, outer);
  }
}

/** Maps the text between `start` and `end` of a script, such as a `$(...)` body, to the source. */
function innerScript(outer: Script, start: number, end: number): Script {
  return {
    text: outer.text.slice(start, end),
    toSource: (from, to) => outer.toSource(start + from, start + to),
  };
}

const NO_ASSIGNMENTS: ReadonlyMap<string, string> = new Map();

/** Strips wrappers such as `sudo -u app` or `env A=1` and records what they were. */
function unwrap(words: ShellWord[]): {
  words: ShellWord[];
  wrappers: string[];
  sudo: SudoTarget | undefined;
  /** Assignments of an `env` or `sudo` wrapper, such as `env PIP_NO_CACHE_DIR=1`, in order. */
  assigned: Array<[string, string]>;
} {
  const wrappers: string[] = [];
  const assigned: Array<[string, string]> = [];
  let sudo: SudoTarget | undefined;
  let index = 0;
  while (index < words.length && WRAPPERS.has(baseName(words[index]!.value))) {
    const wrapper = baseName(words[index]!.value);
    wrappers.push(wrapper);
    index++;
    // Each sudo starts from root: in `sudo -u app sudo make`, make runs as root.
    const target: SudoTarget | undefined =
      wrapper === 'sudo' ? { user: undefined, group: undefined } : undefined;
    if (target) sudo = target;
    const record = (option: string, value: string | undefined) => {
      if (!target) return;
      if (option === '-u' || option === '--user') target.user = value;
      if (option === '-g' || option === '--group') target.group = value;
    };
    const shortValued = SHORT_VALUE_OPTIONS[wrapper] ?? '';
    const longValued = LONG_VALUE_OPTIONS[wrapper];
    while (index < words.length) {
      const value = words[index]!.value;
      // `sudo` also takes `VAR=value` words before the command and sets them in its environment.
      if ((wrapper === 'env' || wrapper === 'sudo') && /^[A-Za-z_][A-Za-z0-9_]*=/.test(value)) {
        assigned.push(splitAssignment(value));
        index++;
        continue;
      }
      if (value === '--') {
        index++;
        break;
      }
      if (!value.startsWith('-') || value === '-') break;
      index++;
      if (value.startsWith('--')) {
        const equals = value.indexOf('=');
        const name = equals === -1 ? value : value.slice(0, equals);
        let optionValue = equals === -1 ? undefined : value.slice(equals + 1);
        if (optionValue === undefined && longValued?.has(name)) optionValue = words[index++]?.value;
        record(name, optionValue);
        continue;
      }
      // A cluster of short options, such as `-Eu app`: the first one that takes a value takes
      // the rest of the word, or the next word when nothing follows it.
      for (let letter = 1; letter < value.length; letter++) {
        if (!shortValued.includes(value[letter]!)) continue;
        let optionValue = value.slice(letter + 1);
        if (optionValue === '') optionValue = words[index++]?.value ?? '';
        record(`-${value[letter]}`, optionValue);
        break;
      }
    }
  }
  return { words: words.slice(index), wrappers, sudo, assigned };
}

/** Long options of the shells that take the next word as their value. */
const SHELL_LONG_VALUE_OPTIONS = new Set(['--rcfile', '--init-file']);

/**
 * Returns the script word of `sh -c 'script'`, or undefined for any other command. The shell
 * reads its options first, so `bash -o pipefail -c 'script'` and `bash -c -e 'script'` both run
 * the first word that is not an option.
 */
function shellScriptArgument(words: ShellWord[]): ShellWord | undefined {
  if (words.length < 2 || !SHELLS.has(baseName(words[0]!.value))) return undefined;
  let runsScript = false;
  for (let i = 1; i < words.length; i++) {
    const value = words[i]!.value;
    if (value === '--' || value === '-') return runsScript ? words[i + 1] : undefined;
    if (value.startsWith('--')) {
      if (SHELL_LONG_VALUE_OPTIONS.has(value)) i++;
      continue;
    }
    if (!/^[-+][A-Za-z]+$/.test(value)) return runsScript ? words[i] : undefined;
    if (value.startsWith('-') && value.includes('c')) runsScript = true;
    // `-o NAME` and `-O NAME` take the next word, inside a cluster such as `-eo pipefail` too.
    if (value.includes('o') || value.includes('O')) i++;
  }
  return undefined;
}

/**
 * Maps a `sh -c` script to the source through the word it was written as, so offsets stay exact
 * across quotes and backslash escapes. The outer shell has already run the substitutions it
 * found in the word, such as an unescaped `$(...)` inside double quotes, so the script skips them.
 */
function nestedScript(
  outer: Script,
  word: ShellWord,
  outerSubstitutions: readonly Substitution[],
): Script {
  const rawOffsets = valueToRaw(word.raw);
  const rawAt = (index: number) => rawOffsets[Math.min(index, rawOffsets.length - 1)]!;
  return {
    text: word.value,
    toSource: (from, to) => {
      const start = rawAt(from);
      const end = to > from ? rawAt(to - 1) + 1 : start;
      return outer.toSource(word.start + start, word.start + end);
    },
    ranOutside: (start) => {
      const at = word.start + rawAt(start);
      return outerSubstitutions.some((ran) => at >= ran.start && at < ran.end);
    },
  };
}

/**
 * Returns, for each character of a word's value, its offset in the raw word, plus one entry
 * for the end. Quotes and escaping backslashes have no value character. Substitutions, and
 * unquoted `<(...)` and `>(...)`, are copied as written, as the splitter copies them.
 */
export function valueToRaw(raw: string): number[] {
  const offsets: number[] = [];
  const copy = (from: number, to: number) => {
    for (let at = from; at < to; at++) offsets.push(at);
  };
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i]!;
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else offsets.push(i);
    } else if (
      (char === '$' && (raw[i + 1] === '(' || raw[i + 1] === '{')) ||
      (quote === undefined && (char === '<' || char === '>') && raw[i + 1] === '(')
    ) {
      const { end } = balancedEnd(raw, i + 1);
      copy(i, end);
      i = end - 1;
    } else if (char === '`') {
      const end = backquotedEnd(raw, i);
      copy(i, end);
      i = end - 1;
    } else if (char === '\\') {
      const next = raw[i + 1];
      // Inside double quotes a backslash escapes only `"`, `\`, `$`, a backquote and a newline.
      if (quote === '"' && (next === undefined || !'"\\$`\n'.includes(next))) {
        offsets.push(i);
      } else if (next !== undefined) {
        if (next !== '\n') offsets.push(i + 1);
        i++;
      }
    } else if (char === '"') {
      quote = quote === '"' ? undefined : '"';
    } else if (char === "'" && quote === undefined) {
      quote = "'";
    } else {
      offsets.push(i);
    }
  }
  offsets.push(raw.length);
  return offsets;
}

function splitAssignment(text: string): [string, string] {
  const equals = text.indexOf('=');
  return [text.slice(0, equals), text.slice(equals + 1)];
}

/** Returns the last path component of a command: `apt-get` for `/usr/bin/apt-get`. */
export function baseName(command: string): string {
  const slash = command.lastIndexOf('/');
  return slash >= 0 ? command.slice(slash + 1) : command;
}

/** Source text of a command, such as `apt-get install -y curl`, for messages and evidence. */
export function commandText(dockerfile: Dockerfile, command: RunCommand): string {
  return dockerfile.file.text.slice(command.start, command.end).replace(/\\\r?\n\s*/g, ' ');
}
