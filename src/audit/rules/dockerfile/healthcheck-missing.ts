import type { ComposeService, Dockerfile, DockerInstruction } from '../../model/types.js';
import { defineRule } from '../rule.js';
import { servicesBuilding, shippedStages, stageChain, stageLabel } from './stages.js';

export const healthcheckMissingRule = defineRule({
  id: 'DF015',
  name: 'healthcheck-missing',
  title: 'Shipped image has no `HEALTHCHECK`',
  severity: 'low',
  layer: 'container',
  target: 'dockerfile',
  control: 'monitoring.healthchecks',
  status: 'stable',
  rationale:
    'Without a health check, Docker only knows whether the main process is alive, not whether it still serves ' +
    'requests. A hung or deadlocked application then stays in rotation, `depends_on: condition: service_healthy` ' +
    'cannot wait for it, and monitoring never sees it fail.',
  fix:
    'Add `HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 CMD <probe>` to the final stage, ' +
    'with a probe that the image contains, or define `healthcheck:` with a `test` on every compose service built ' +
    'from it.',
  limitations: [
    "The base image's own `HEALTHCHECK` is not visible without pulling the image, so a stage that relies on it " +
      'is reported.',
    'A stage is accepted when every compose service that builds it defines a `healthcheck` with a `test`. Whether ' +
      'that health check is complete is checked by the compose rules.',
    'One-shot containers, such as migration jobs, need no health check; suppress the finding for them.',
  ],
  references: [
    'https://docs.docker.com/reference/dockerfile/#healthcheck',
    'https://docs.docker.com/reference/compose-file/services/#healthcheck',
  ],
  check(model, report) {
    for (const dockerfile of model.dockerfiles) {
      for (const index of shippedStages(model, dockerfile)) {
        const services = servicesBuilding(model, dockerfile, index);
        if (services.length > 0 && services.every(definesHealthcheck)) continue;

        const healthcheck = lastHealthcheck(dockerfile, index);
        const disabled = healthcheck?.args[0]?.toUpperCase() === 'NONE';
        if (healthcheck && !disabled) continue;
        const stage = dockerfile.stages[index]!;
        const what = index === dockerfile.stages.length - 1 ? 'The final stage' : stageLabel(stage);
        const compose = composeClause(services);
        report({
          message: disabled
            ? `${what} disables the health check with \`HEALTHCHECK NONE\`, and ${compose}.`
            : `${what} has no \`HEALTHCHECK\`, and ${compose}.`,
          location: healthcheck?.location ?? stage.from.location,
          key: `stage ${stage.name ?? index}`,
          evidence: healthcheck
            ? `HEALTHCHECK ${healthcheck.argText}`
            : `FROM ${stage.from.argText}`,
        });
      }
    }
  },
});

/** Describes which compose services built from the stage lack a health check. */
function composeClause(services: ComposeService[]): string {
  const lacking = services.filter((service) => !definesHealthcheck(service));
  if (lacking.length === services.length) return 'no compose service built from it defines one';
  const names = lacking.map((service) => `\`${service.name}\``).join(', ');
  return lacking.length === 1
    ? `compose service ${names} built from it defines none`
    : `compose services ${names} built from it define none`;
}

/** Finds the last `HEALTHCHECK` that applies to stage `index`, in it or in the stages it is built `FROM`. */
function lastHealthcheck(dockerfile: Dockerfile, index: number): DockerInstruction | undefined {
  for (const stage of stageChain(dockerfile, index)) {
    const found = stage.instructions.findLast(
      (instruction) => instruction.keyword === 'HEALTHCHECK',
    );
    if (found) return found;
  }
  return undefined;
}

/** True when the service's `healthcheck` runs a test and is not disabled. */
function definesHealthcheck(service: ComposeService): boolean {
  const healthcheck = service.config.healthcheck;
  if (typeof healthcheck !== 'object' || healthcheck === null) return false;
  const { test, disable } = healthcheck as { test?: unknown; disable?: unknown };
  if (disable === true || test === undefined) return false;
  const first = Array.isArray(test) ? test[0] : test;
  return first !== 'NONE' && first !== '';
}
