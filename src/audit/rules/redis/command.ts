import type { Location } from '../../../finding/finding.js';
import type { ComposeService, DeploymentModel } from '../../model/types.js';
import { splitShellCommands } from '../../parsers/shell.js';

/** A word of the command that starts a Redis server, with where it is written. */
export interface ServerWord {
  value: string;
  location: Location;
  /** True when the word takes its value from `$VAR` or `${VAR}`, at deploy time or in a shell. */
  variable: boolean;
}

/** A `--name args...` option of `redis-server`, which Redis reads like a redis.conf line. */
export interface CommandOption {
  key: string;
  args: ServerWord[];
  location: Location;
}

/** What a service's command tells about the Redis server it starts. */
export interface ServerCommand {
  /** Container path of the configuration file given as the first argument. */
  confPath?: string;
  options: CommandOption[];
  /** The whole command, or the service name when there is none. */
  location: Location;
}

const SHELLS = /(^|\/)(sh|bash|ash|dash)$/;

/**
 * Reads the command that starts the server: the compose `command`, else the `CMD` of the final
 * Dockerfile stage. Returns undefined when the service runs something other than `redis-server`,
 * such as `redis-cli` or `redis-sentinel`.
 */
export function readServerCommand(
  service: ComposeService,
  model: DeploymentModel,
): ServerCommand | undefined {
  const located = commandOf(service, model);
  const words = unwrapShell(located.words);
  if (!words) return undefined;
  const first = words[0]?.value;
  let rest = words;
  if (first !== undefined && /(^|\/)(redis-server|valkey-server|keydb-server)$/.test(first)) {
    rest = words.slice(1);
  } else if (first !== undefined && !first.startsWith('-') && !first.endsWith('.conf')) {
    // The official image's entrypoint runs `redis-server` itself only for options or a .conf file.
    return undefined;
  }

  let confPath: string | undefined;
  if (rest[0] && !rest[0].value.startsWith('-')) {
    confPath = rest[0].value;
    rest = rest.slice(1);
  }
  return { confPath, options: groupOptions(rest), location: located.location };
}

function groupOptions(words: ServerWord[]): CommandOption[] {
  const options: CommandOption[] = [];
  for (const word of words) {
    const current = options[options.length - 1];
    if (word.value.startsWith('--') && word.value.length > 2) {
      options.push({ key: word.value.slice(2).toLowerCase(), args: [], location: word.location });
    } else if (current) {
      current.args.push(word);
    }
  }
  return options;
}

function commandOf(
  service: ComposeService,
  model: DeploymentModel,
): { words: ServerWord[]; location: Location } {
  const command = service.config.command;
  const at = service.locate(['command'], 'value');
  if (Array.isArray(command) && at) {
    const words = command.map((item, index) => {
      const location = service.locate(['command', index], 'value') ?? at;
      const raw = sourceText(model, location) ?? String(item);
      // A `${VAR}` word keeps its written form, because interpolation empties unset variables.
      const variable = raw.includes('$');
      return { value: variable ? raw : String(item), location, variable };
    });
    return { words, location: at };
  }
  if (typeof command === 'string' && at) {
    const raw = sourceText(model, at);
    // Words are read from the text as written, so `${VAR}` stays visible after interpolation.
    const text = raw ?? command;
    return { words: splitWords(text, at, raw !== undefined), location: at };
  }
  return { words: dockerfileCmd(service), location: service.location };
}

function dockerfileCmd(service: ComposeService): ServerWord[] {
  const stage = service.dockerfile?.stages[service.stageIndex ?? -1];
  const cmd = stage?.instructions.filter((instruction) => instruction.keyword === 'CMD').pop();
  if (!cmd) return [];
  return cmd.args.map((value) => ({
    value,
    location: cmd.argLocation,
    variable: value.includes('$'),
  }));
}

/** Replaces `sh -c "script"` by the words of the `redis-server` command inside the script. */
function unwrapShell(words: ServerWord[]): ServerWord[] | undefined {
  if (!words[0] || !SHELLS.test(words[0].value) || words[1]?.value !== '-c') return words;
  const script = words[2];
  if (!script) return undefined;
  const inner = splitShellCommands(script.value).find((command) =>
    /(^|\/)(redis-server|valkey-server|keydb-server)$/.test(command.words[0]?.value ?? ''),
  );
  if (!inner) return undefined;
  return inner.words.map((word) => ({
    value: word.value,
    location: script.location,
    variable: word.raw.includes('$'),
  }));
}

function splitWords(text: string, at: Location, mapped: boolean): ServerWord[] {
  const command = splitShellCommands(text)[0];
  if (!command) return [];
  const singleLine = at.startLine === at.endLine;
  return [...command.assignments, ...command.words].map((word) => ({
    value: word.value,
    location:
      mapped && singleLine
        ? {
            ...at,
            startColumn: at.startColumn + word.start + quoteWidth(text, at),
            endColumn: at.startColumn + word.end + quoteWidth(text, at),
          }
        : at,
    variable: word.raw.includes('$'),
  }));
}

/** Quoted YAML scalars start one column before their text. */
function quoteWidth(text: string, at: Location): number {
  return at.endColumn - at.startColumn === text.length + 2 ? 1 : 0;
}

/**
 * Returns the text of a one-line YAML scalar as written, quotes removed, or undefined when the
 * span covers several lines or holds escapes that make it differ from the parsed value.
 */
function sourceText(model: DeploymentModel, at: Location): string | undefined {
  if (at.startLine !== at.endLine) return undefined;
  const line = model.files.get(at.path)?.lines[at.startLine - 1];
  if (line === undefined) return undefined;
  const span = line.slice(at.startColumn - 1, at.endColumn - 1);
  const quote = span[0];
  if ((quote === '"' || quote === "'") && span.endsWith(quote) && span.length >= 2) {
    const inner = span.slice(1, -1);
    return inner.includes('\\') || inner.includes(quote) ? undefined : inner;
  }
  return span;
}
