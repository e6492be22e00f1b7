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

/** The server settings found in the command of a Redis service. */
export interface ServerCommand {
  /** Container path of the configuration file given as the first argument. */
  confPath?: string;
  options: CommandOption[];
  /** The whole command, or the service name when there is none. */
  location: Location;
}

const SHELLS = /(^|\/)(sh|bash|ash|dash)$/;
const SERVERS = /(^|\/)(redis-server|valkey-server|keydb-server)$/;

/**
 * Reads the command that starts the server from the service's `entrypoint` and `command`, or
 * the `CMD` of its Dockerfile stage. Returns undefined when the service runs something other than
 * a Redis server, such as `redis-cli` or a Sentinel.
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
  if (first !== undefined && SERVERS.test(first)) {
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
  const options = groupOptions(rest);
  if (options.some((option) => option.key === 'sentinel')) return undefined;
  return { confPath, options, location: located.location };
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

/**
 * Returns the words the container starts with: `entrypoint` (without the official image's
 * `docker-entrypoint.sh`) followed by `command`, or by the Dockerfile's `CMD` when the service
 * sets no command.
 */
function commandOf(
  service: ComposeService,
  model: DeploymentModel,
): { words: ServerWord[]; location: Location } {
  const entrypoint = wordsOf(service, model, 'entrypoint');
  const command = wordsOf(service, model, 'command');
  const entryWords = (entrypoint?.words ?? []).filter(
    (word, index) => index > 0 || !/(^|\/)docker-entrypoint\.sh$/.test(word.value),
  );
  const commandWords = command?.words ?? (entrypoint ? [] : dockerfileCmd(service));
  return {
    words: [...entryWords, ...commandWords],
    location: command?.location ?? entrypoint?.location ?? service.location,
  };
}

function wordsOf(
  service: ComposeService,
  model: DeploymentModel,
  key: 'command' | 'entrypoint',
): { words: ServerWord[]; location: Location } | undefined {
  const value = service.config[key];
  const at = service.locate([key], 'value');
  if (!at) return undefined;
  if (Array.isArray(value)) {
    const words = value.map((item, index) => {
      const location = service.locate([key, index], 'value') ?? at;
      // The written form keeps `${VAR}`, which interpolation empties when the variable is unset,
      // and `off`, which a YAML 1.1 reading turns into `false`.
      const raw = sourceText(model, location) ?? String(item);
      return { value: raw, location, variable: raw.includes('$') };
    });
    return { words, location: at };
  }
  if (typeof value === 'string') {
    const raw = sourceText(model, at);
    // Words are read from the text as written, so `${VAR}` stays visible after interpolation.
    return { words: splitWords(raw ?? value, at, raw !== undefined), location: at };
  }
  return undefined;
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
  const inner = splitShellCommands(script.value)
    .map((command) => (command.words[0]?.value === 'exec' ? command.words.slice(1) : command.words))
    .find((commandWords) => SERVERS.test(commandWords[0]?.value ?? ''));
  if (!inner) return undefined;
  return inner.map((word) => ({
    value: word.value,
    location: script.location,
    variable: word.raw.includes('$'),
  }));
}

function splitWords(text: string, at: Location, mapped: boolean): ServerWord[] {
  // Compose splits a string command at blanks and line breaks alike.
  const command = splitShellCommands(text.replace(/\r?\n/g, ' '))[0];
  if (!command) return [];
  const singleLine = at.startLine === at.endLine;
  return command.words.map((word) => ({
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
 * Returns the text of a YAML scalar as written, quotes removed, or undefined when it contains
 * escapes that make it differ from the parsed value. The lines of a multi-line scalar are joined
 * with spaces, which is all that splitting it into words needs.
 */
function sourceText(model: DeploymentModel, at: Location): string | undefined {
  const lines = model.files.get(at.path)?.lines;
  if (!lines) return undefined;
  if (at.startLine !== at.endLine) {
    const first = lines[at.startLine - 1]!.slice(at.startColumn - 1);
    const rest = lines.slice(at.startLine, at.endLine - 1);
    const last = lines[at.endLine - 1]!.slice(0, at.endColumn - 1);
    // A block scalar starts with its indicator, such as `>-` or `|`, which is not part of the text.
    const head = /^[>|][-+0-9]*\s*$/.test(first) ? '' : first;
    return unquote(
      [head, ...rest, last]
        .map((line) => line.trim())
        .join(' ')
        .trim(),
    );
  }
  return unquote(lines[at.startLine - 1]!.slice(at.startColumn - 1, at.endColumn - 1));
}

function unquote(span: string): string | undefined {
  const quote = span[0];
  if ((quote === '"' || quote === "'") && span.endsWith(quote) && span.length >= 2) {
    const inner = span.slice(1, -1);
    return inner.includes('\\') || inner.includes(quote) ? undefined : inner;
  }
  return span;
}
