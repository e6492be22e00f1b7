import type { DockerStage, EffectiveUser, ImageRef } from '../../model/types.js';
import { detailOf } from './detail.js';
import { expandVariables } from './variables.js';

/**
 * True when a `USER` or compose `user:` value runs as UID 0: `root`, or a number that Go's
 * integer parsing reads as 0 (`0`, `000`, `+0`, `-0`), whatever the group. Values that still
 * contain a variable are not treated as root, because their value is not known.
 */
export function isRootUser(value: string): boolean {
  const user = value.split(':')[0]!.trim();
  if (user === '' || user === 'root') return true;
  if (/^[+-]?\d+$/.test(user)) return Number(user) === 0;
  return false;
}

/**
 * Returns the default user of base images that are known to run as a non-root user, or
 * undefined when the image's default user is unknown (which callers treat as root).
 *
 * NOTE: the list covers distroless `nonroot` tags, Chainguard images other than `-dev` tags,
 * Bitnami images other than `bitnami/minideb`, `nginxinc/nginx-unprivileged` and .NET
 * `chiseled` tags. Any other image counts as root, even where its publisher sets a user.
 */
export function knownNonRootUser(ref: ImageRef): string | undefined {
  const tag = ref.tag ?? '';
  const registry = ref.registry ?? 'docker.io';
  const repository = ref.repository;
  if (registry === 'gcr.io' && repository.startsWith('distroless/')) {
    return /(^|-)nonroot($|-)/.test(tag) ? 'nonroot' : undefined;
  }
  if (
    (registry === 'cgr.dev' || registry === 'docker.io') &&
    repository.startsWith('chainguard/')
  ) {
    return /(^|-)dev($|-)/.test(tag) ? undefined : 'nonroot';
  }
  if (
    registry === 'docker.io' &&
    repository.startsWith('bitnami/') &&
    repository !== 'bitnami/minideb'
  ) {
    return '1001';
  }
  if (registry === 'docker.io' && repository === 'nginxinc/nginx-unprivileged') return 'nginx';
  if (
    registry === 'mcr.microsoft.com' &&
    repository.startsWith('dotnet/') &&
    tag.includes('chiseled')
  ) {
    return 'app';
  }
  return undefined;
}

/**
 * Creates the `userOf` function of a Dockerfile. Each stage's result is computed once: the last
 * `USER` of the stage, else the result of the stage it is built `FROM`, else the base image's
 * default user.
 */
export function createUserResolver(
  stages: DockerStage[],
  globalDefaults: ReadonlyMap<string, string | undefined>,
): (index?: number) => EffectiveUser {
  const cache = new Map<number, EffectiveUser>();

  const resolve = (index: number): EffectiveUser => {
    const known = cache.get(index);
    if (known) return known;
    const stage = stages[index];
    let result: EffectiveUser = { value: 'root', isRoot: true };
    if (stage) {
      const position = findLastUser(stage);
      if (position >= 0) {
        const instruction = stage.instructions[position]!;
        const written = instruction.args[0] ?? '';
        const value = written.includes('$')
          ? expandVariables(written, stageVariables(stages, index, position, globalDefaults))
          : written;
        result = { value, isRoot: isRootUser(value) && !value.includes('$'), instruction };
      } else if (stage.baseStage !== undefined && stage.baseStage < index) {
        result = resolve(stage.baseStage);
      } else if (stage.image) {
        const user = knownNonRootUser(stage.image);
        if (user) result = { value: user, isRoot: false };
      }
    }
    cache.set(index, result);
    return result;
  };

  return (index = stages.length - 1) => resolve(index);
}

function findLastUser(stage: DockerStage): number {
  for (let i = stage.instructions.length - 1; i >= 0; i--) {
    if (stage.instructions[i]!.keyword === 'USER') return i;
  }
  return -1;
}

/**
 * Builds the variable lookup in effect before instruction `position` of stage `index`: `ENV`
 * values inherited from base stages, then this stage's `ARG` and `ENV` in order. An `ARG`
 * without a default takes the default of the global `ARG` of the same name.
 */
function stageVariables(
  stages: DockerStage[],
  index: number,
  position: number,
  globalDefaults: ReadonlyMap<string, string | undefined>,
): (name: string) => string | undefined {
  const values = new Map<string, string | undefined>();
  const chain: number[] = [];
  for (let current: number | undefined = index; current !== undefined; ) {
    chain.unshift(current);
    const base: number | undefined = stages[current]?.baseStage;
    current = base !== undefined && base < current ? base : undefined;
  }
  for (const stageIndex of chain) {
    const stage = stages[stageIndex]!;
    const stop = stageIndex === index ? position : stage.instructions.length;
    for (const instruction of stage.instructions.slice(0, stop)) {
      const isArg = instruction.keyword === 'ARG';
      if (!isArg && instruction.keyword !== 'ENV') continue;
      if (isArg && stageIndex !== index) continue;
      for (const property of detailOf(instruction).properties) {
        const lookup = (name: string) => values.get(name);
        const value =
          property.value === undefined
            ? isArg
              ? globalDefaults.get(property.name)
              : undefined
            : expandVariables(property.value, lookup);
        values.set(property.name, value);
      }
    }
  }
  return (name) => values.get(name);
}
