import { defineRule } from '../rule.js';
import { commandText, runCommands } from './commands.js';
import { installsProject, parseNpmCommand } from './npm.js';

export const npmInstallInsteadOfCiRule = defineRule({
  id: 'DF017',
  name: 'npm-install-instead-of-ci',
  title: '`npm install` is used where `npm ci` installs the lockfile exactly',
  severity: 'low',
  layer: 'container',
  target: 'dockerfile',
  control: 'container.package-hygiene',
  status: 'stable',
  rationale:
    '`npm install` resolves the version ranges of `package.json` and may install newer packages than ' +
    '`package-lock.json` records, so two builds of one commit can ship different dependencies. `npm ci` installs ' +
    'exactly the locked versions, checks their integrity hashes, and fails when the lockfile and `package.json` ' +
    'disagree, so the image contains the dependencies that were reviewed and scanned.',
  fix:
    'Copy `package.json` and `package-lock.json` and run `npm ci` (with `--omit=dev` in the shipped stage). Keep ' +
    '`npm install <package>@<version>` only for tools that are not in the lockfile.',
  limitations: [
    'Every stage is checked, because build stages produce the files that are copied into the image.',
    'Whether the build context holds a `package-lock.json` is not checked; `npm ci` fails without one.',
    '`yarn` and `pnpm` installs are not checked.',
  ],
  references: [
    'https://docs.npmjs.com/cli/v10/commands/npm-ci',
    'https://docs.npmjs.com/cli/v10/configuring-npm/package-lock-json',
  ],
  check(model, report) {
    for (const dockerfile of model.dockerfiles) {
      for (const instruction of dockerfile.instructions) {
        for (const command of runCommands(dockerfile, instruction)) {
          const npm = parseNpmCommand(command);
          if (npm?.subcommand !== 'install' || !installsProject(npm)) continue;
          const text = commandText(dockerfile, command);
          report({
            message: `\`${text}\` resolves versions from \`package.json\`; use \`npm ci\` to install exactly what \`package-lock.json\` records.`,
            location: command.location,
            key: `stage ${instruction.stage}: ${text}`,
            evidence: text,
          });
        }
      }
    }
  },
});
