import { defineRule } from '../rule.js';
import { imageLocation } from './stages.js';

export const baseImageDigestRule = defineRule({
  id: 'DF002',
  name: 'base-image-digest',
  title: 'Base image is not pinned by digest',
  severity: 'low',
  layer: 'container',
  target: 'dockerfile',
  control: 'container.pinned-base-image',
  status: 'stable',
  rationale:
    'A tag is a movable pointer: the publisher can push a new image under `20.11-alpine` at any time, and so can ' +
    'anyone who gains write access to the repository. Only the digest names exact content, so builds are repeatable ' +
    'and an image scan stays valid for what is actually deployed.',
  fix:
    'Append the digest of the tested image, as in `FROM node:20.11-alpine@sha256:<digest>` (read it with ' +
    '`docker buildx imagetools inspect node:20.11-alpine`), and let a tool such as Renovate or Dependabot update it.',
  limitations: [
    'Base images whose reference still contains a variable are not reported; rule DF001 reports them as unverifiable.',
  ],
  references: [
    'https://docs.docker.com/build/building/best-practices/#pin-base-image-versions',
    'https://docs.docker.com/reference/dockerfile/#from',
  ],
  check(model, report) {
    for (const dockerfile of model.dockerfiles) {
      for (const stage of dockerfile.stages) {
        const image = stage.image;
        if (!image || image.digest || image.unresolved) continue;
        report({
          message: `Base image \`${image.raw}\` is not pinned by digest.`,
          location: imageLocation(dockerfile, stage),
          key: `stage ${stage.index}: ${image.raw}`,
          evidence: image.raw,
        });
      }
    }
  },
});
