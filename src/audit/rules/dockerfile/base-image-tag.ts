import { defineRule } from '../rule.js';
import { imageLocation } from './stages.js';

export const baseImageTagRule = defineRule({
  id: 'DF001',
  name: 'base-image-tag',
  title: 'Base image uses the `latest` tag or no tag',
  severity: 'medium',
  layer: 'container',
  target: 'dockerfile',
  control: 'container.pinned-base-image',
  status: 'stable',
  rationale:
    'A base image without a tag, or with `latest`, resolves to whatever the registry publishes on the day of the build. ' +
    'Two builds of the same commit can then ship different operating system packages, and a breaking or compromised ' +
    'upstream release enters the image without any change in the repository that a reviewer could see.',
  fix: 'Name an explicit version tag such as `node:20.11-alpine`, and add the digest (`@sha256:...`) to pin it exactly.',
  limitations: [
    'A base image that comes from a variable with no default, such as `FROM $BASE_IMAGE`, is reported at `info` ' +
      'severity as unverifiable, because the tag is only known when the build passes `--build-arg`.',
    'Docker substitutes only `ARG`s declared before the first `FROM` into `FROM`; an `ARG` inside a stage does not ' +
      'count as a default.',
    'An image pinned by digest is not reported, whatever its tag says.',
  ],
  references: [
    'https://docs.docker.com/build/building/best-practices/#pin-base-image-versions',
    'https://github.com/hadolint/hadolint/wiki/DL3006',
    'https://github.com/hadolint/hadolint/wiki/DL3007',
  ],
  check(model, report) {
    for (const dockerfile of model.dockerfiles) {
      for (const stage of dockerfile.stages) {
        const image = stage.image;
        if (!image || image.digest) continue;
        const location = imageLocation(dockerfile, stage);
        const key = `stage ${stage.index}: ${image.raw}`;
        const tag = image.tag;

        if (tag === undefined && image.unresolved) {
          report({
            message: `Base image \`${image.raw}\` comes from a variable without a default, so its tag cannot be checked.`,
            location,
            key,
            evidence: image.raw,
            severity: 'info',
          });
        } else if (tag?.includes('$')) {
          report({
            message: `Base image tag \`${tag}\` comes from a variable without a default, so it cannot be checked.`,
            location,
            key,
            evidence: image.raw,
            severity: 'info',
          });
        } else if (tag === undefined || tag === 'latest') {
          const what =
            tag === undefined ? 'has no tag, so Docker pulls `latest`' : 'uses the `latest` tag';
          report({
            message: `Base image \`${image.raw}\` ${what}.`,
            location,
            key,
            evidence: image.raw,
          });
        }
      }
    }
  },
});
