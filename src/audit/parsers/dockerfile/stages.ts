import type { DockerInstruction, DockerStage, ParseIssue } from '../../model/types.js';
import type { SourceFile } from '../../source.js';
import { parseImageRef } from '../image-ref.js';
import { detailOf } from './detail.js';
import { expandVariables } from './variables.js';

export interface StageLayout {
  globalArgs: DockerInstruction[];
  /** Defaults of the global `ARG`s, each expanded with the ones declared before it. */
  globalDefaults: Map<string, string | undefined>;
  stages: DockerStage[];
}

/**
 * Splits instructions into stages at each `FROM`, sets each instruction's `stage`, and resolves
 * base images: global `ARG` defaults are substituted, and a name that matches an earlier stage
 * (case-insensitively, as Docker lowercases stage names) makes that stage the base.
 */
export function layOutStages(
  instructions: DockerInstruction[],
  file: SourceFile,
  issues: ParseIssue[],
): StageLayout {
  const globalArgs: DockerInstruction[] = [];
  const globalDefaults = new Map<string, string | undefined>();
  const stages: DockerStage[] = [];
  const lookup = (name: string) => globalDefaults.get(name);

  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      instruction.stage = stages.length;
      stages.push(createStage(instruction, stages, lookup, issues));
      continue;
    }
    const current = stages[stages.length - 1];
    if (current) {
      instruction.stage = current.index;
      current.instructions.push(instruction);
    } else if (instruction.keyword === 'ARG') {
      globalArgs.push(instruction);
      for (const property of detailOf(instruction).properties) {
        const value =
          property.value === undefined ? undefined : expandVariables(property.value, lookup);
        globalDefaults.set(property.name, value);
      }
    } else {
      issues.push({
        message: `\`${instruction.keyword}\` appears before the first \`FROM\``,
        location: instruction.location,
        help: 'only `ARG` may come before the first `FROM`; move this instruction into a stage',
      });
    }
  }
  if (stages.length === 0 && file.text.trim() !== '') {
    issues.push({
      message: 'the Dockerfile has no `FROM` instruction',
      location: file.fileStart(),
      help: 'start the build stage with `FROM <image>:<tag>`',
    });
  }
  return { globalArgs, globalDefaults, stages };
}

function createStage(
  from: DockerInstruction,
  earlier: DockerStage[],
  lookup: (name: string) => string | undefined,
  issues: ParseIssue[],
): DockerStage {
  const [imageText, as, name, ...extra] = from.args;
  const stage: DockerStage = { index: earlier.length, from, instructions: [] };
  if (from.flags.platform !== undefined) stage.platform = from.flags.platform;

  if (as !== undefined && (as.toLowerCase() !== 'as' || name === undefined || extra.length > 0)) {
    issues.push({
      message: `\`FROM ${from.argText}\` is not of the form \`FROM <image> [AS <name>]\``,
      location: from.argLocation,
      help: 'name the stage with `AS <name>` after the image, and write nothing else after it',
    });
  }
  if (as?.toLowerCase() === 'as' && name !== undefined) {
    stage.name = name;
    if (earlier.some((other) => other.name?.toLowerCase() === name.toLowerCase())) {
      issues.push({
        message: `stage name \`${name}\` is used by an earlier stage`,
        location: from.argLocation,
        help: 'give each stage a unique name; Docker compares stage names case-insensitively',
      });
    }
  }

  if (imageText === undefined) {
    issues.push({
      message: '`FROM` has no base image',
      location: from.location,
      help: 'name the base image, such as `FROM node:20-alpine`, or `FROM scratch` for an empty one',
    });
    return stage;
  }
  const expanded = expandVariables(imageText, lookup);
  const lower = expanded.toLowerCase();
  const base = earlier.find((other) => other.name?.toLowerCase() === lower);
  if (base) stage.baseStage = base.index;
  else if (lower !== 'scratch') stage.image = parseImageRef(expanded);
  return stage;
}
