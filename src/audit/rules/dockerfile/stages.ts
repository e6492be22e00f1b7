import type { Location } from '../../../finding/finding.js';
import type {
  ComposeService,
  DeploymentModel,
  Dockerfile,
  DockerInstruction,
  DockerStage,
} from '../../model/types.js';
import {
  argTextToSource,
  type CacheSlot,
  cacheSlot,
  dockerfileCache,
} from '../../parsers/dockerfile.js';

/** Compose services built from `dockerfile`, optionally only those that build stage `index`. */
export function servicesBuilding(
  model: DeploymentModel,
  dockerfile: Dockerfile,
  index?: number,
): ComposeService[] {
  const services: ComposeService[] = [];
  for (const project of model.compose) {
    for (const service of project.services) {
      if (service.dockerfile !== dockerfile) continue;
      const built = service.stageIndex ?? dockerfile.stages.length - 1;
      if (index === undefined || built === index) services.push(service);
    }
  }
  return services;
}

/**
 * A cache slot for results derived from a Dockerfile and the compose services that build it,
 * kept for the compose projects they were computed with. Each rule reads the same results, and
 * computing them anew took about 6% of an audit of 3,500 Dockerfiles.
 */
export type ModelCache<T> = CacheSlot<{ compose: DeploymentModel['compose']; value: T }>;

export function cachedPerModel<T>(
  slot: ModelCache<T>,
  model: DeploymentModel,
  dockerfile: Dockerfile,
  compute: () => T,
): T {
  const cache = dockerfileCache(dockerfile);
  const known = cache[slot] as { compose: DeploymentModel['compose']; value: T } | undefined;
  if (known && known.compose === model.compose) return known.value;
  const value = compute();
  cache[slot] = { compose: model.compose, value };
  return value;
}

const shippedStagesCache: ModelCache<number[]> = cacheSlot();
const shippedLayersCache: ModelCache<Set<number>> = cacheSlot();

/**
 * Returns the indexes of the stages that become images: the build targets of the compose
 * services built from this Dockerfile, or the final stage when no service builds it.
 */
export function shippedStages(model: DeploymentModel, dockerfile: Dockerfile): readonly number[] {
  return cachedPerModel(shippedStagesCache, model, dockerfile, () =>
    computeShippedStages(model, dockerfile),
  );
}

function computeShippedStages(model: DeploymentModel, dockerfile: Dockerfile): number[] {
  if (dockerfile.stages.length === 0) return [];
  const targets = new Set<number>();
  for (const service of servicesBuilding(model, dockerfile)) {
    targets.add(service.stageIndex ?? dockerfile.stages.length - 1);
  }
  if (targets.size === 0) targets.add(dockerfile.stages.length - 1);
  return [...targets]
    .filter((index) => dockerfile.stages[index] !== undefined)
    .sort((a, b) => a - b);
}

/** Returns stage `index` followed by the stages it is built `FROM`, nearest first. */
export function stageChain(dockerfile: Dockerfile, index: number): DockerStage[] {
  const chain: DockerStage[] = [];
  let current: DockerStage | undefined = dockerfile.stages[index];
  while (current) {
    chain.push(current);
    const base: number | undefined = current.baseStage;
    current = base !== undefined && base < current.index ? dockerfile.stages[base] : undefined;
  }
  return chain;
}

/** Stage indexes whose layers end up in a shipped image: each shipped stage and its bases. */
export function shippedLayerStages(
  model: DeploymentModel,
  dockerfile: Dockerfile,
): ReadonlySet<number> {
  return cachedPerModel(shippedLayersCache, model, dockerfile, () => {
    const result = new Set<number>();
    for (const index of shippedStages(model, dockerfile)) {
      for (const stage of stageChain(dockerfile, index)) result.add(stage.index);
    }
    return result;
  });
}

/** Instructions of the shipped-layer stages, in file order, each with its Dockerfile. */
export function* shippedInstructions(
  model: DeploymentModel,
): Generator<{ dockerfile: Dockerfile; instruction: DockerInstruction }> {
  for (const dockerfile of model.dockerfiles) {
    const stages = shippedLayerStages(model, dockerfile);
    for (const instruction of dockerfile.instructions) {
      if (stages.has(instruction.stage)) yield { dockerfile, instruction };
    }
  }
}

/** The stage a `COPY --from` or `RUN --mount=from=` value names, or undefined for an image. */
export function stageNamed(dockerfile: Dockerfile, reference: string): DockerStage | undefined {
  const lower = reference.toLowerCase();
  if (/^\d+$/.test(reference)) return dockerfile.stages[Number(reference)];
  return dockerfile.stages.find((stage) => stage.name?.toLowerCase() === lower);
}

/** A short label for a stage in messages: its name, or its index. */
export function stageLabel(stage: DockerStage): string {
  return stage.name ? `stage \`${stage.name}\`` : `stage ${stage.index}`;
}

/** Location of the image word of a stage's `FROM`, such as `node:20` in `FROM node:20 AS build`. */
export function imageLocation(dockerfile: Dockerfile, stage: DockerStage): Location {
  const image = stage.from.args[0];
  if (!image) return stage.from.location;
  return argSpanLocation(dockerfile, stage.from, 0, image.length);
}

/** Location of the characters `from` to `to` (exclusive) of an instruction's `argText`. */
export function argSpanLocation(
  dockerfile: Dockerfile,
  instruction: DockerInstruction,
  from: number,
  to: number,
): Location {
  if (instruction.argText.length === 0) return instruction.location;
  const span = argTextToSource(instruction, from, to);
  return dockerfile.file.rangeAt(span.start, span.end);
}
