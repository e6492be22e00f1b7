import { defineRule } from '../rule.js';
import { serviceKey, servicesOf } from './helpers.js';

export const buildDockerfileMissingRule = defineRule({
  id: 'DC025',
  name: 'build-dockerfile-missing',
  title: 'Service builds from a Dockerfile that is not in the repository',
  severity: 'low',
  layer: 'checklist',
  target: 'compose',
  control: 'checklist.configuration-verified',
  status: 'stable',
  rationale:
    'The Dockerfile a service builds from decides the user, base image and packages of the image that runs. ' +
    'When that file is missing, a folder, a named pipe or a link out of the repository, `docker compose build` fails or builds something the audit never saw, ' +
    'so the Dockerfile rules and the cross-file checks of that service verify nothing. A git submodule that is not checked out is a common cause.',
  fix: 'Correct `build.context` or `build.dockerfile`, commit the Dockerfile, or check out submodules (`git submodule update --init`) before the audit.',
  references: ['https://docs.docker.com/reference/compose-file/build/'],
  limitations: [
    'A build context outside the audited folder, a remote context (a Git or HTTP URL, `docker-image://`, `oci-layout://`) and `dockerfile_inline` are not reported, because the audit cannot tell whether they exist.',
    'A path that uses a variable that is not set is not reported, because its value is unknown.',
  ],
  check(model, report) {
    for (const entry of servicesOf(model)) {
      const build = entry.service.build;
      const path = build?.dockerfile;
      if (!build || path === undefined || entry.service.dockerfile || path.includes('$')) continue;
      report({
        message: `service '${entry.service.name}' builds from '${path}', which is not a readable file in the audited folder, so its image is not checked`,
        location: build.location,
        key: serviceKey(entry, path),
      });
    }
  },
});
