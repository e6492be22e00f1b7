import { defineRule } from '../rule.js';
import { shippedLayerStages } from './stages.js';

export const multipleCmdEntrypointRule = defineRule({
  id: 'DF016',
  name: 'multiple-cmd-entrypoint',
  title: 'Stage has more than one `CMD` or `ENTRYPOINT`',
  severity: 'low',
  layer: 'container',
  target: 'dockerfile',
  control: 'container.image-configuration',
  status: 'stable',
  rationale:
    'Only the last `CMD` and the last `ENTRYPOINT` of a stage take effect. An earlier one does nothing, but a reader ' +
    'who stops at it believes the container starts a different process, with different arguments or as a ' +
    'different wrapper, than it really does.',
  fix: 'Keep one `CMD` and one `ENTRYPOINT` per stage, and delete the ones that are replaced.',
  limitations: [
    'Only the stages that end up in a shipped image are checked: the build targets of compose services, or the ' +
      'final stage, and the stages they are built `FROM`. Other stages run only when built with `--target`.',
    'Each stage is checked on its own, because a stage may replace the `CMD` of the stage it is built from.',
  ],
  references: [
    'https://docs.docker.com/reference/dockerfile/#cmd',
    'https://docs.docker.com/reference/dockerfile/#entrypoint',
    'https://github.com/hadolint/hadolint/wiki/DL4003',
    'https://github.com/hadolint/hadolint/wiki/DL4004',
  ],
  check(model, report) {
    for (const dockerfile of model.dockerfiles) {
      const shipped = shippedLayerStages(model, dockerfile);
      for (const stage of dockerfile.stages) {
        if (!shipped.has(stage.index)) continue;
        for (const keyword of ['CMD', 'ENTRYPOINT']) {
          const found = stage.instructions.filter((instruction) => instruction.keyword === keyword);
          const last = found[found.length - 1];
          for (const replaced of found.slice(0, -1)) {
            report({
              message: `This \`${keyword}\` has no effect, because the \`${keyword}\` on line ${last!.location.startLine} of the same stage replaces it.`,
              location: replaced.location,
              key: `stage ${stage.index}: ${keyword} ${replaced.argText}`,
              evidence: `${keyword} ${replaced.argText}`,
            });
          }
        }
      }
    }
  },
});
