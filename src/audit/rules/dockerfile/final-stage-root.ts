import type { Dockerfile, EffectiveUser } from '../../model/types.js';
import { isRootUser } from '../../parsers/dockerfile.js';
import { defineRule } from '../rule.js';
import { servicesBuilding, shippedStages, stageLabel } from './stages.js';

export const finalStageRootRule = defineRule({
  id: 'DF004',
  name: 'final-stage-root',
  title: 'Shipped image runs as root',
  severity: 'high',
  layer: 'container',
  target: 'dockerfile',
  control: 'container.non-root',
  status: 'stable',
  rationale:
    'A process that runs as UID 0 in the container is root on every file the container can reach, including mounted ' +
    'volumes, and keeps that power if it breaks out through a kernel or runtime flaw. Running as an unprivileged ' +
    'user limits what an attacker who takes over the application can change.',
  fix:
    'Create a user with a fixed numeric UID (`RUN useradd --uid 10001 app` or `adduser -D -u 10001 app`) and end the ' +
    'final stage with `USER 10001`, or override it with `user:` on every compose service built from the image.',
  limitations: [
    'The base image default user is unknown without pulling the image, so a stage without `USER` counts as root, ' +
      'except for images known to default to a non-root user: distroless `nonroot` tags, Chainguard images other ' +
      'than `-dev` tags, Bitnami images, `nginxinc/nginx-unprivileged` and .NET `chiseled` tags.',
    'A `USER` value that comes from a variable without a default is taken as non-root.',
    '`FROM scratch` without `USER` runs as UID 0 and is reported, unlike in some other scanners.',
    'When compose services build this Dockerfile, only their build targets are checked, and a stage is accepted when ' +
      'every service that builds it sets a non-root `user:`.',
  ],
  references: [
    'https://docs.docker.com/reference/dockerfile/#user',
    'https://docs.docker.com/build/building/best-practices/#user',
    'https://github.com/hadolint/hadolint/wiki/DL3002',
  ],
  check(model, report) {
    for (const dockerfile of model.dockerfiles) {
      for (const index of shippedStages(model, dockerfile)) {
        const user = dockerfile.userOf(index);
        if (!user.isRoot) continue;
        const services = servicesBuilding(model, dockerfile, index);
        const overridden = services.filter(
          (service) => service.user && !isRootUser(service.user.value),
        );
        if (services.length > 0 && overridden.length === services.length) continue;

        const stage = dockerfile.stages[index]!;
        const what =
          index === dockerfile.stages.length - 1 ? 'The final stage' : `${stageLabel(stage)}`;
        const used =
          services.length > 0 ? `, which ${builtFrom(services.map((s) => s.name))},` : '';
        const message = `${what}${used} runs as root because ${reason(dockerfile, index, user)}.`;
        report({
          message,
          location: user.instruction?.location ?? stage.from.location,
          key: `stage ${stage.name ?? index}`,
          evidence: user.instruction ? `USER ${user.value}` : stage.from.argText,
          related: services
            .filter((service) => service.build)
            .map((service) => ({
              message: `service \`${service.name}\` is built from it`,
              location: service.build!.location,
            })),
        });
      }
    }
  },
});

/** Describes why stage `index` ends as root: its own `USER`, an inherited one, or none at all. */
function reason(dockerfile: Dockerfile, index: number, user: EffectiveUser): string {
  const instruction = user.instruction;
  if (!instruction) return 'no `USER` instruction sets a non-root user';
  if (instruction.stage === index) return `\`USER ${user.value}\` is its last user`;
  const base = dockerfile.stages[instruction.stage];
  const from = base ? stageLabel(base) : 'an earlier stage';
  return `it inherits \`USER ${user.value}\` from ${from}`;
}

function builtFrom(names: string[]): string {
  const quoted = names.map((name) => `\`${name}\``).join(', ');
  return names.length === 1
    ? `service ${quoted} is built from`
    : `services ${quoted} are built from`;
}
