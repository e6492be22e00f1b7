import { defineRule } from '../rule.js';
import { runCommands } from './commands.js';
import { hasCacheMount, packageCommandReport, shippedPackageCommands } from './packages.js';

export const apkNoCacheRule = defineRule({
  id: 'DF009',
  name: 'apk-no-cache',
  title: '`apk add` keeps the package index in the image',
  severity: 'low',
  layer: 'container',
  target: 'dockerfile',
  control: 'container.package-hygiene',
  status: 'stable',
  rationale:
    'Without `--no-cache`, `apk add` stores the downloaded package index under `/var/cache/apk`. The index is ' +
    'useless at runtime, makes every layer that installs packages larger, and records package versions that go stale.',
  fix: 'Use `apk add --no-cache <packages>`, which fetches the index for this command only and stores nothing.',
  limitations: [
    'Only the stages that end up in a shipped image are checked.',
    'Removing `/var/cache/apk/*` in the same `RUN`, or a BuildKit cache mount on `/var/cache/apk` or ' +
      '`/etc/apk/cache`, is accepted as well.',
  ],
  references: [
    'https://github.com/hadolint/hadolint/wiki/DL3019',
    'https://wiki.alpinelinux.org/wiki/Alpine_Package_Keeper',
  ],
  check(model, report) {
    for (const found of shippedPackageCommands(model)) {
      const { dockerfile, instruction, install } = found;
      if (install.manager !== 'apk' || install.action !== 'add') continue;
      if (install.command.args.includes('--no-cache')) continue;
      if (hasCacheMount(instruction, /^\/(var\/cache\/apk|etc\/apk\/cache)\/?$/)) continue;
      const removes = runCommands(dockerfile, instruction).some(
        (command) =>
          command.name === 'rm' && command.args.some((arg) => arg.startsWith('/var/cache/apk')),
      );
      if (removes) continue;
      report(
        packageCommandReport(
          found,
          '`apk add` runs without `--no-cache`, so the package index stays in the layer.',
        ),
      );
    }
  },
});
