import type { RunCommand } from './commands.js';

/** An `npm` command of a `RUN`, such as `npm ci --omit=dev`. */
export interface NpmCommand {
  /** The subcommand with aliases resolved: `install` for `npm i`, `ci` for `npm clean-install`. */
  subcommand: string;
  /** Options as `--name=value` or `--name`, a separate value joined with `=`. */
  options: string[];
  /** Arguments after the subcommand that are not options, such as package names. */
  operands: string[];
  command: RunCommand;
}

const INSTALL_ALIASES = new Set([
  'install',
  'i',
  'in',
  'ins',
  'inst',
  'insta',
  'instal',
  'isnt',
  'isnta',
  'isntal',
  'isntall',
  'add',
]);
const CI_ALIASES = new Set(['ci', 'clean-install', 'ic', 'install-clean', 'isntall-clean']);

/** npm options that take the next argument as their value when written without `=`. */
const VALUE_OPTIONS = new Set([
  '--omit',
  '--include',
  '--only',
  '--prefix',
  '--workspace',
  '-w',
  '--registry',
  '--cache',
  '--loglevel',
  '--userconfig',
]);

/** Parses an `npm` command, or returns undefined for any other command. */
export function parseNpmCommand(command: RunCommand): NpmCommand | undefined {
  if (command.name !== 'npm') return undefined;
  const options: string[] = [];
  const operands: string[] = [];
  let subcommand: string | undefined;
  const args = command.args;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith('-')) {
      const joined = VALUE_OPTIONS.has(arg) && i + 1 < args.length ? `${arg}=${args[++i]}` : arg;
      options.push(joined);
    } else if (subcommand === undefined) {
      subcommand = INSTALL_ALIASES.has(arg) ? 'install' : CI_ALIASES.has(arg) ? 'ci' : arg;
    } else {
      operands.push(arg);
    }
  }
  if (subcommand === undefined) return undefined;
  return { subcommand, options, operands, command };
}

/** True for `npm ci`, and for `npm install` without package names, which installs `package.json`. */
export function installsProject(npm: NpmCommand): boolean {
  if (npm.subcommand === 'ci') return true;
  return npm.subcommand === 'install' && npm.operands.length === 0 && !isGlobal(npm);
}

export function isGlobal(npm: NpmCommand): boolean {
  return npm.options.some((option) => option === '-g' || option === '--global');
}

/** Returns the deprecated option that leaves out devDependencies, such as `--only=production`. */
export function deprecatedProductionOption(npm: NpmCommand): string | undefined {
  return npm.options.find(
    (option) =>
      option === '--production' ||
      option === '--production=true' ||
      /^--only=prod(uction)?$/.test(option),
  );
}

/** True when the options leave out devDependencies, with `--omit=dev` or a deprecated option. */
export function omitsDev(npm: NpmCommand): boolean {
  const omitted = npm.options.some((option) => option === '--omit=dev');
  return omitted || deprecatedProductionOption(npm) !== undefined;
}
