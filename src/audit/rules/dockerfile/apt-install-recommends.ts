import type { Dockerfile, DockerInstruction } from '../../model/types.js';
import { defineRule } from '../rule.js';
import { isInstall, packageCommandReport, shippedPackageCommands } from './packages.js';
import { stageChain } from './stages.js';

const DISABLES_RECOMMENDS = /install-recommends\s*["']?\s*=?\s*["']?(0|false)\b/i;

export const aptInstallRecommendsRule = defineRule({
  id: 'DF007',
  name: 'apt-install-recommends',
  title: '`apt-get install` also installs recommended packages',
  severity: 'low',
  layer: 'container',
  target: 'dockerfile',
  control: 'container.package-hygiene',
  status: 'stable',
  rationale:
    'By default apt installs every package that the requested ones recommend, which often doubles what lands in ' +
    'the image. Those packages are never used, but they are attack surface and they show up in vulnerability scans ' +
    'that someone then has to triage and patch.',
  fix:
    'Add `--no-install-recommends` to every `apt-get install`, or write `APT::Install-Recommends "false";` to a file ' +
    'in `/etc/apt/apt.conf.d/` before the first install.',
  limitations: [
    'Only the stages that end up in a shipped image are checked; builder stages whose files are not copied wholesale ' +
      'may install recommendations.',
    'The apt configuration is recognized when a `RUN` of the same image writes `APT::Install-Recommends` with `0` or ' +
      '`false` before the install, or a file is copied into `/etc/apt/apt.conf.d/`.',
  ],
  references: [
    'https://github.com/hadolint/hadolint/wiki/DL3015',
    'https://docs.docker.com/build/building/best-practices/#apt-get',
  ],
  check(model, report) {
    for (const found of shippedPackageCommands(model)) {
      const { dockerfile, instruction, install } = found;
      if (install.manager !== 'apt' || !isInstall(install)) continue;
      const avoided = install.command.args.some(
        (word) =>
          word === '--no-install-recommends' ||
          word === '--without-recommends' ||
          DISABLES_RECOMMENDS.test(word),
      );
      if (avoided || configuredBefore(dockerfile, instruction)) continue;
      report(
        packageCommandReport(
          found,
          `\`${install.command.name} install\` runs without \`--no-install-recommends\`.`,
        ),
      );
    }
  },
});

/** True when an earlier instruction of the same image turns recommendations off in apt's configuration. */
function configuredBefore(dockerfile: Dockerfile, instruction: DockerInstruction): boolean {
  for (const stage of stageChain(dockerfile, instruction.stage)) {
    for (const earlier of stage.instructions) {
      if (earlier === instruction) break;
      if (earlier.keyword === 'COPY' || earlier.keyword === 'ADD') {
        if (earlier.args[earlier.args.length - 1]?.startsWith('/etc/apt/apt.conf.d')) return true;
      }
      if (earlier.keyword !== 'RUN') continue;
      const text = [earlier.argText, ...earlier.heredocs.map((heredoc) => heredoc.body)].join('\n');
      if (/APT::Install-Recommends/i.test(text) && /Install-Recommends\W+(0|false)\b/i.test(text))
        return true;
    }
  }
  return false;
}
