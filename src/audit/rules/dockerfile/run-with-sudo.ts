import { isRootUser } from '../../parsers/dockerfile.js';
import { defineRule } from '../rule.js';
import { commandText, runCommands } from './commands.js';

export const runWithSudoRule = defineRule({
  id: 'DF020',
  name: 'run-with-sudo',
  title: '`RUN` uses `sudo`',
  severity: 'medium',
  layer: 'container',
  target: 'dockerfile',
  control: 'container.non-root',
  status: 'stable',
  rationale:
    '`sudo` in a `RUN` means the image contains sudo and a rule that lets its user become root. Any process that ' +
    'is later compromised inside the container can use that rule too, which undoes the non-root `USER`. sudo also ' +
    'behaves differently without a terminal and changes the environment, so build steps that use it are fragile.',
  fix:
    'Switch with `USER` for the steps that need another user (`USER root`, or the user named by `sudo -u`) and ' +
    'back to the unprivileged user afterwards, and do not install sudo in the image.',
  limitations: ['`doas` and `su -c` are not reported.'],
  references: [
    'https://github.com/hadolint/hadolint/wiki/DL3004',
    'https://docs.docker.com/build/building/best-practices/#user',
  ],
  check(model, report) {
    for (const dockerfile of model.dockerfiles) {
      for (const instruction of dockerfile.instructions) {
        for (const command of runCommands(dockerfile, instruction)) {
          if (!command.wrappers.includes('sudo')) continue;
          const text = instruction.jsonForm
            ? [...command.wrappers, command.name, ...command.args].join(' ')
            : commandText(dockerfile, command);
          const sudoUser = command.sudoUser;
          const user = sudoUser === undefined || isRootUser(sudoUser) ? 'root' : sudoUser;
          report({
            message: `\`${text}\` runs through \`sudo\`; switch with \`USER ${user}\` for this step instead.`,
            location: command.location,
            key: `stage ${instruction.stage}: ${text}`,
            evidence: text,
          });
        }
      }
    }
  },
});
