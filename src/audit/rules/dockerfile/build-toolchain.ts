import type { Dockerfile, DockerInstruction } from '../../model/types.js';
import type { RunCommand } from './commands.js';
import { isInstall, isRemoval, packageCommands } from './packages.js';

/** Packages that compile code, fetch sources or provide headers, by name or pattern. */
const TOOLCHAIN_PACKAGES = new Set([
  'build-essential',
  'build-base',
  'gcc',
  'g++',
  'clang',
  'make',
  'cmake',
  'autoconf',
  'automake',
  'libtool',
  'pkg-config',
  'pkgconf',
  'git',
  'golang',
  'rustc',
  'cargo',
  'maven',
  'gradle',
  'default-jdk',
  'musl-dev',
  'linux-headers',
  'gcc-c++',
  'kernel-headers',
]);
const DEVELOPMENT_PACKAGE = /^[a-z0-9][\w.+-]*-(dev|devel)$/;

/** Returns the toolchain packages of an install argument list, versions stripped. */
export function toolchainPackages(operands: string[]): string[] {
  return operands
    .map((operand) => operand.replace(/[=<>].*$/, ''))
    .filter((name) => TOOLCHAIN_PACKAGES.has(name) || DEVELOPMENT_PACKAGE.test(name));
}

/**
 * Returns the toolchain packages an install command leaves behind: those it installs minus
 * the ones the same `RUN` removes again, directly or through an `apk --virtual` group.
 */
export function keptToolchainPackages(
  dockerfile: Dockerfile,
  instruction: DockerInstruction,
  command: RunCommand,
): string[] {
  const commands = packageCommands(dockerfile, instruction);
  const install = commands.find((candidate) => candidate.command === command);
  if (!install || !isInstall(install)) return [];
  const removed = new Set(commands.filter(isRemoval).flatMap((removal) => removal.operands));
  const virtual = install.options.find(
    (option) => option.startsWith('--virtual=') || option.startsWith('-t='),
  );
  if (virtual && removed.has(virtual.slice(virtual.indexOf('=') + 1))) return [];
  return toolchainPackages(install.operands).filter((name) => !removed.has(name));
}

/** Describes a command that compiles or bundles the application, or returns undefined. */
export function compileStep(command: RunCommand): string | undefined {
  const [first, second] = command.args;
  switch (command.name) {
    case 'npm':
    case 'pnpm':
      return first === 'run' && /^build/.test(second ?? '')
        ? `${command.name} run ${second}`
        : undefined;
    case 'yarn':
      return first === 'build' || (first === 'run' && /^build/.test(second ?? ''))
        ? 'yarn build'
        : undefined;
    case 'go':
      return first === 'build' || first === 'install' ? `go ${first}` : undefined;
    case 'cargo':
      return first === 'build' || first === 'install' ? `cargo ${first}` : undefined;
    case 'mvn':
    case 'mvnw':
      return command.args.some((arg) => /^(package|install|verify)$/.test(arg))
        ? 'mvn package'
        : undefined;
    case 'gradle':
    case 'gradlew':
      return command.args.some((arg) => /^(build|assemble|bootJar|jar|installDist)$/.test(arg))
        ? 'gradle build'
        : undefined;
    case 'dotnet':
      return first === 'publish' || first === 'build' ? `dotnet ${first}` : undefined;
    case 'make':
      return first === undefined || !['install', 'clean'].includes(first) ? 'make' : undefined;
    case 'gcc':
    case 'g++':
    case 'cc':
    case 'tsc':
      return command.name;
    default:
      return undefined;
  }
}
