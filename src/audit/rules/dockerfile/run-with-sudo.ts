import { isRootUser } from '../../parsers/dockerfile.js';
import { defineRule } from '../rule.js';
import { commandText, runCommands, type SudoTarget } from './commands.js';

/** Advises the `USER` to switch to: the user and group `sudo` names, root without `-u`. */
function advice(sudo: SudoTarget | undefined): string {
  // sudo accepts a numeric user as `#1000`, and USER takes the number alone.
  const user = sudo?.user?.replace(/^#/, '');
  if (user === undefined && sudo?.group !== undefined) {
    return `remove \`sudo\` and set the group with \`USER <user>:${sudo.group}\` for this step instead.`;
  }
  const named = user === undefined || isRootUser(user) ? 'root' : user;
  const group = sudo?.group?.replace(/^#/, '');
  return `switch with \`USER ${group === undefined ? named : `${named}:${group}`}\` for this step instead.`;
}

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
        // The commands of one `sudo sh -c '...'` script share its target, and one report covers them.
        const reported = new Set<SudoTarget | undefined>();
        for (const command of runCommands(dockerfile, instruction)) {
          if (!command.wrappers.includes('sudo') || reported.has(command.sudo)) continue;
          reported.add(command.sudo);
          // A command of an exec form's `sh -c` script maps into its JSON string, but an exec
          // form run directly spans its JSON strings, so it is named by its arguments.
          const source = commandText(dockerfile, command);
          const text =
            instruction.jsonForm && source.startsWith('"') ? instruction.args.join(' ') : source;
          report({
            message: `\`${text}\` runs through \`sudo\`; ${advice(command.sudo)}`,
            location: command.location,
            key: `stage ${instruction.stage}: ${text}`,
            evidence: text,
          });
        }
      }
    }
  },
});
