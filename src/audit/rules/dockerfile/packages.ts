import type { DeploymentModel, Dockerfile, DockerInstruction } from '../../model/types.js';
import { cachedOn, cacheSlot, detailOf } from '../../parsers/dockerfile.js';
import type { Report } from '../rule.js';
import { commandText, type RunCommand, runCommands } from './commands.js';
import { cachedPerModel, type ModelCache, shippedLayerStages } from './stages.js';

export type PackageManager = 'apt' | 'apk' | 'yum' | 'zypper' | 'pip';

/** A package manager command found in a `RUN`, such as `apt-get install -y curl`. */
export interface PackageCommand {
  manager: PackageManager;
  /** The subcommand: `install`, `add`, `purge`, `del`, `clean` and so on. */
  action: string;
  /** Arguments that are options, such as `--no-install-recommends` or `-o=APT::...`. */
  options: string[];
  /** Arguments that are not options: package names, or paths for `pip install -r`. */
  operands: string[];
  command: RunCommand;
}

/** Options that take the next argument as their value, per package manager. */
const VALUE_OPTIONS: Record<PackageManager, Set<string>> = {
  apt: new Set(['-o', '-c', '-t', '--target-release', '--option', '--config-file']),
  apk: new Set(['-X', '--repository', '-t', '--virtual', '-p', '--root', '--arch', '--keys-dir']),
  yum: new Set(['-c', '--config', '--setopt', '--enablerepo', '--disablerepo', '--releasever']),
  zypper: new Set(['-r', '--repo', '--from']),
  pip: new Set([
    '-r',
    '--requirement',
    '-c',
    '--constraint',
    '-i',
    '--index-url',
    '--extra-index-url',
    '-t',
    '--target',
    '--prefix',
    '--root',
    '-f',
    '--find-links',
  ]),
};

/** Options that keep their value in the option list, so rules can read it. */
const KEPT_VALUE_OPTIONS = new Set(['-o', '--option', '--setopt', '-t', '--virtual']);

const PACKAGE_COMMANDS = cacheSlot<PackageCommand[]>();

/** Lists the package manager commands of a `RUN`, in order. */
export function packageCommands(
  dockerfile: Dockerfile,
  instruction: DockerInstruction,
): readonly PackageCommand[] {
  if (instruction.keyword !== 'RUN') return [];
  return cachedOn(instruction, PACKAGE_COMMANDS, computePackageCommands, dockerfile);
}

function computePackageCommands(
  dockerfile: Dockerfile,
  instruction: DockerInstruction,
): PackageCommand[] {
  const found: PackageCommand[] = [];
  for (const command of runCommands(dockerfile, instruction)) {
    const parsed = parsePackageCommand(command);
    if (parsed) found.push(parsed);
  }
  return found;
}

function parsePackageCommand(command: RunCommand): PackageCommand | undefined {
  const manager = managerOf(command);
  if (!manager) return undefined;
  const args =
    manager === 'pip' && command.name.startsWith('python') ? command.args.slice(2) : command.args;
  const options: string[] = [];
  const operands: string[] = [];
  let action: string | undefined;
  const valued = VALUE_OPTIONS[manager];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith('-') && arg !== '-') {
      if (valued.has(arg) && i + 1 < args.length) {
        const value = args[++i]!;
        options.push(KEPT_VALUE_OPTIONS.has(arg) ? `${arg}=${value}` : arg);
        if (manager === 'pip' && (arg === '-r' || arg === '--requirement')) operands.push(value);
      } else {
        options.push(arg);
      }
    } else if (action === undefined) {
      action = arg;
    } else {
      operands.push(arg);
    }
  }
  if (action === undefined) return undefined;
  return { manager, action, options, operands, command };
}

function managerOf(command: RunCommand): PackageManager | undefined {
  const name = command.name;
  if (name === 'apt-get' || name === 'apt' || name === 'aptitude') return 'apt';
  if (name === 'apk') return 'apk';
  if (name === 'yum' || name === 'dnf' || name === 'microdnf' || name === 'tdnf') return 'yum';
  if (name === 'zypper') return 'zypper';
  if (/^pip(\d+(\.\d+)?)?$/.test(name)) return 'pip';
  if (
    /^python(\d+(\.\d+)?)?$/.test(name) &&
    command.args[0] === '-m' &&
    /^pip\d*$/.test(command.args[1] ?? '')
  ) {
    return 'pip';
  }
  return undefined;
}

/** True for the subcommands that install packages. */
export function isInstall(command: PackageCommand): boolean {
  switch (command.manager) {
    case 'apk':
      return command.action === 'add';
    case 'zypper':
      return command.action === 'install' || command.action === 'in';
    default:
      return command.action === 'install';
  }
}

/** True for the subcommands that remove packages: `purge`, `remove`, `autoremove`, `del`. */
export function isRemoval(command: PackageCommand): boolean {
  return ['purge', 'remove', 'autoremove', 'del', 'erase', 'rm'].includes(command.action);
}

/** True when any mount flag of the `RUN` is a cache mount on one of `targets`. */
export function hasCacheMount(instruction: DockerInstruction, targets: RegExp): boolean {
  return detailOf(instruction).flags.some((flag) => {
    if (flag.name !== 'mount') return false;
    const fields = new Map(
      flag.value.split(',').map((field) => {
        const equals = field.indexOf('=');
        return equals < 0 ? [field, ''] : [field.slice(0, equals), field.slice(equals + 1)];
      }),
    );
    const target = fields.get('target') ?? fields.get('dst') ?? fields.get('destination') ?? '';
    return fields.get('type') === 'cache' && targets.test(target);
  });
}

/** A package manager command of a `RUN` in a stage whose files reach a shipped image. */
export interface ShippedPackageCommand {
  dockerfile: Dockerfile;
  instruction: DockerInstruction;
  install: PackageCommand;
}

/** Lists the package manager commands of the stages that end up in shipped images. */
export function shippedPackageCommands(model: DeploymentModel): readonly ShippedPackageCommand[] {
  if (model.dockerfiles.length === 1) return shippedPackageCommandsOf(model, model.dockerfiles[0]!);
  return model.dockerfiles.flatMap((dockerfile) => shippedPackageCommandsOf(model, dockerfile));
}

function shippedPackageCommandsOf(
  model: DeploymentModel,
  dockerfile: Dockerfile,
): ShippedPackageCommand[] {
  return cachedPerModel(shippedCommandsCache, model, dockerfile, () => {
    const found: ShippedPackageCommand[] = [];
    const stages = shippedLayerStages(model, dockerfile);
    for (const instruction of dockerfile.instructions) {
      if (!stages.has(instruction.stage)) continue;
      for (const install of packageCommands(dockerfile, instruction)) {
        found.push({ dockerfile, instruction, install });
      }
    }
    return found;
  });
}

const shippedCommandsCache: ModelCache<ShippedPackageCommand[]> = cacheSlot();

/** Builds the report of a package command, keyed by its stage and text so that it stays stable. */
export function packageCommandReport(found: ShippedPackageCommand, message: string): Report {
  const text = commandText(found.dockerfile, found.install.command);
  return {
    message,
    location: found.install.command.location,
    key: `stage ${found.instruction.stage}: ${text}`,
    evidence: text,
  };
}
