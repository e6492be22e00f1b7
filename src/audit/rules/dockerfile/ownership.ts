import { posix } from 'node:path';
import type { Dockerfile, DockerInstruction } from '../../model/types.js';
import { runCommands } from './commands.js';
import { stageChain } from './stages.js';

/** An instruction of a shipped image with the working directory in effect for it. */
export interface PlacedInstruction {
  instruction: DockerInstruction;
  workdir: string;
}

/** Lists the instructions that build stage `index`, base stages first, with their `WORKDIR`. */
export function placedInstructions(dockerfile: Dockerfile, index: number): PlacedInstruction[] {
  const placed: PlacedInstruction[] = [];
  let workdir = '/';
  for (const stage of stageChain(dockerfile, index).reverse()) {
    for (const instruction of stage.instructions) {
      if (
        instruction.keyword === 'WORKDIR' &&
        instruction.args[0] &&
        !instruction.args[0].includes('$')
      ) {
        workdir = posix.resolve(workdir, instruction.args[0]);
      }
      placed.push({ instruction, workdir });
    }
  }
  return placed;
}

/** The destination of a `COPY` or `ADD`, resolved against the working directory. */
export function copyDestination(placed: PlacedInstruction): string | undefined {
  const { instruction } = placed;
  if (instruction.keyword !== 'COPY' && instruction.keyword !== 'ADD') return undefined;
  const destination = instruction.args[instruction.args.length - 1];
  if (!destination || instruction.args.length < 2 || destination.includes('$')) return undefined;
  return posix.resolve(placed.workdir, destination);
}

/** Folders that hold application files when the stage sets no `WORKDIR` of its own. */
const APP_FOLDERS = /^\/(app|srv|opt|home|usr\/src\/app|var\/www)(\/|$)/;

/** True when `path` is inside the application folder: the final `WORKDIR`, or a usual app folder. */
export function isAppPath(path: string, appDir: string): boolean {
  if (appDir !== '/') return path === appDir || path.startsWith(`${appDir}/`);
  return APP_FOLDERS.test(path);
}

/** True when a `chown` in `placed[from..]` covers `path`, such as `chown -R app /app`. */
export function chownedLater(
  dockerfile: Dockerfile,
  placed: PlacedInstruction[],
  from: number,
  path: string,
): boolean {
  for (const { instruction, workdir } of placed.slice(from)) {
    for (const command of runCommands(dockerfile, instruction)) {
      if (command.name !== 'chown') continue;
      const operands = command.args.filter((arg) => !arg.startsWith('-')).slice(1);
      for (const operand of operands) {
        const target = posix.resolve(workdir, operand.replace(/\/\*$/, ''));
        if (path === target || path.startsWith(`${target === '/' ? '' : target}/`)) return true;
      }
    }
  }
  return false;
}

/** The first `COPY --chown` or `RUN chown` of the instructions, with the owner it sets. */
export function firstChown(
  dockerfile: Dockerfile,
  placed: PlacedInstruction[],
): { instruction: DockerInstruction; owner: string } | undefined {
  for (const { instruction } of placed) {
    const flag = instruction.flags.chown;
    if (flag !== undefined && flag !== '') return { instruction, owner: flag };
    for (const command of runCommands(dockerfile, instruction)) {
      if (command.name !== 'chown') continue;
      const owner = command.args.find((arg) => !arg.startsWith('-'));
      if (owner) return { instruction, owner };
    }
  }
  return undefined;
}

/** True when two user specs name different users in the same notation (both names or both UIDs). */
export function differentUsers(owner: string, user: string): boolean {
  const a = owner.split(':')[0]!;
  const b = user.split(':')[0]!;
  if (a === '' || b === '' || a.includes('$') || b.includes('$')) return false;
  const numeric = /^\d+$/;
  if (numeric.test(a) !== numeric.test(b)) return false;
  return numeric.test(a) ? Number(a) !== Number(b) : a !== b;
}
