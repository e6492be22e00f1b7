import { defineRule } from '../rule.js';
import { isRootUser, serviceKey, servicesOf } from './helpers.js';

export const runsAsRootRule = defineRule({
  id: 'DC016',
  name: 'service-runs-as-root',
  title: 'Service runs as root',
  severity: 'high',
  layer: 'container',
  target: 'compose',
  control: 'container.non-root',
  status: 'stable',
  rationale:
    'Root inside a container is root on the host kernel, limited only by capabilities, seccomp and namespaces, so a code-execution bug in a root process is one kernel or runtime flaw away from owning the host. ' +
    'A non-root user also cannot overwrite the application files it runs from.',
  fix: 'Add a `USER` with a non-root name or UID to the final stage of the Dockerfile, or set `user: "1000:1000"` on the service.',
  references: [
    'https://docs.docker.com/reference/compose-file/services/#user',
    'https://docs.docker.com/reference/dockerfile/#user',
    'https://docs.docker.com/build/building/best-practices/#user',
  ],
  limitations: [
    "Services that run a pulled image and set no `user:` are not reported, because the image's default user is not visible to a static check.",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the text shows Compose syntax.
    'A `user:` built from variables that are unset at audit time, such as `${UID}:${GID}`, counts as non-root.',
    'Images such as `postgres` or `nginx` that start as root and switch users in their entrypoint count as root when a Dockerfile builds on them without `USER`.',
  ],
  check(model, report) {
    for (const entry of servicesOf(model)) {
      const { service } = entry;
      if (service.user) {
        // Variables unset at audit time, as in `${UID}:${GID}`, come from the shell that runs Compose.
        if (service.user.unresolved || !isRootUser(service.user.value)) continue;
        report({
          message: `service '${service.name}' sets \`user: ${service.user.value}\`, so it runs as root`,
          location: service.user.location,
          key: serviceKey(entry),
        });
        continue;
      }
      const dockerfile = service.dockerfile;
      if (!dockerfile || dockerfile.stages.length === 0) continue;
      const user = dockerfile.userOf(service.stageIndex);
      if (!user.isRoot) continue;
      const stage = dockerfile.stages[service.stageIndex ?? dockerfile.stages.length - 1];
      const where = user.instruction?.location ?? stage?.from.location;
      const isFinal = stage?.index === dockerfile.stages.length - 1;
      const named = stage?.name ? ` '${stage.name}'` : '';
      const stageName = isFinal ? `final stage${named}` : `build target stage${named}`;
      const path = dockerfile.file.path;
      report({
        message: user.instruction
          ? `service '${service.name}' runs as root: the ${stageName} of '${path}' ends with \`USER ${user.value}\``
          : `service '${service.name}' runs as root: the ${stageName} of '${path}' sets no \`USER\` and compose sets no \`user:\``,
        location: service.build?.location ?? service.location,
        key: serviceKey(entry),
        ...(where
          ? { related: [{ message: 'the stage the image is built from', location: where }] }
          : {}),
      });
    }
  },
});
