import type { Dockerfile, DockerInstruction } from '../../model/types.js';
import { detailOf } from '../../parsers/dockerfile.js';
import { defineRule } from '../rule.js';
import { runCommands } from './commands.js';
import {
  hasCacheMount,
  isInstall,
  packageCommandReport,
  shippedPackageCommands,
} from './packages.js';
import { stageChain } from './stages.js';

export const pipNoCacheDirRule = defineRule({
  id: 'DF010',
  name: 'pip-no-cache-dir',
  title: '`pip install` keeps its download cache in the image',
  severity: 'low',
  layer: 'container',
  target: 'dockerfile',
  control: 'container.package-hygiene',
  status: 'stable',
  rationale:
    'pip caches every wheel and source archive it downloads under `~/.cache/pip`. In an image that cache is never ' +
    'used again, but it often adds as much as the installed packages themselves to the layer.',
  fix:
    'Use `pip install --no-cache-dir`, or set `ENV PIP_NO_CACHE_DIR=1` before the first install. With BuildKit, ' +
    '`RUN --mount=type=cache,target=/root/.cache/pip` keeps a cache across builds without putting it in the layer.',
  limitations: [
    'Only the stages that end up in a shipped image are checked.',
    '`PIP_NO_CACHE_DIR` is recognized in `ENV` of the same image and as an assignment before the command. Removing ' +
      '`~/.cache` or `/root/.cache` in the same `RUN` is accepted.',
  ],
  references: [
    'https://github.com/hadolint/hadolint/wiki/DL3042',
    'https://pip.pypa.io/en/stable/topics/caching/',
  ],
  check(model, report) {
    for (const found of shippedPackageCommands(model)) {
      const { dockerfile, instruction, install } = found;
      if (install.manager !== 'pip' || !isInstall(install)) continue;
      if (install.command.args.includes('--no-cache-dir')) continue;
      if (install.command.assignments.has('PIP_NO_CACHE_DIR')) continue;
      if (hasCacheMount(instruction, /\/\.cache(\/pip)?\/?$/)) continue;
      if (cacheOffInEnv(dockerfile, instruction)) continue;
      const removes = runCommands(dockerfile, instruction).some(
        (command) =>
          command.name === 'rm' && command.args.some((arg) => /(^~|\/root)\/\.cache/.test(arg)),
      );
      if (removes) continue;
      const name = install.command.name;
      const tool = name.startsWith('python') ? `${name} -m pip` : name;
      report(
        packageCommandReport(
          found,
          `\`${tool} install\` runs without \`--no-cache-dir\`, so pip's download cache stays in the layer.`,
        ),
      );
    }
  },
});

/** True when an `ENV` before the instruction, in its stage or a base stage, sets `PIP_NO_CACHE_DIR`. */
function cacheOffInEnv(dockerfile: Dockerfile, instruction: DockerInstruction): boolean {
  for (const stage of stageChain(dockerfile, instruction.stage)) {
    for (const earlier of stage.instructions) {
      if (earlier === instruction) break;
      if (earlier.keyword !== 'ENV') continue;
      const found = detailOf(earlier).properties.find(
        (property) => property.name === 'PIP_NO_CACHE_DIR',
      );
      if (found?.value) return true;
    }
  }
  return false;
}
