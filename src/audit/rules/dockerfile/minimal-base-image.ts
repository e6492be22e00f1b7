import { defineRule } from '../rule.js';
import { minimalBaseAdvice, rootStage } from './base-images.js';
import { imageLocation, shippedStages } from './stages.js';

export const minimalBaseImageRule = defineRule({
  id: 'DF003',
  name: 'minimal-base-image',
  title: 'Shipped image uses a non-minimal base image variant',
  severity: 'low',
  layer: 'container',
  target: 'dockerfile',
  control: 'container.minimal-base',
  status: 'stable',
  rationale:
    'The default variants of official language images are full Debian systems with compilers, shells and hundreds ' +
    'of packages the application never uses. Each one is attack surface and a source of scanner findings that need ' +
    'patching; slim, alpine and distroless variants carry only what the runtime needs.',
  fix:
    'Switch the final stage to the slim, alpine or distroless variant of the same version, or build in a full image ' +
    'and copy the result into a minimal one in a multi-stage build.',
  limitations: [
    'Only the stages that become images are checked: the build targets of compose services, or the final stage. ' +
      'Builder stages may use full images.',
    'Known images: the official `node`, `python`, `ruby`, `perl` and `debian` images (slim or alpine expected), Java ' +
      'images (`jre` expected), toolchain images such as `golang`, `rust` and `maven`, and the .NET SDK. ' +
      '`ubuntu` is not reported, because its image is about as small as `debian:*-slim`.',
    'Tags that come from a variable are not judged.',
  ],
  references: [
    'https://docs.docker.com/build/building/best-practices/#choose-the-right-base-image',
    'https://docs.docker.com/build/building/multi-stage/',
    'https://github.com/GoogleContainerTools/distroless',
  ],
  check(model, report) {
    for (const dockerfile of model.dockerfiles) {
      const reported = new Set<number>();
      for (const index of shippedStages(model, dockerfile)) {
        const root = rootStage(dockerfile, index);
        if (!root?.image || reported.has(root.index)) continue;
        reported.add(root.index);
        const advice = minimalBaseAdvice(root.image);
        if (!advice) continue;
        report({
          message: `Base image \`${root.image.raw}\` of the shipped image ${advice}.`,
          location: imageLocation(dockerfile, root),
          key: `stage ${root.index}: ${root.image.raw}`,
          evidence: root.image.raw,
        });
      }
    }
  },
});
