import { defineRule } from '../rule.js';
import { runCommands } from './commands.js';
import { deprecatedProductionOption, parseNpmCommand } from './npm.js';

export const npmProductionFlagRule = defineRule({
  id: 'DF019',
  name: 'npm-production-flag',
  title: 'npm uses the deprecated `--production` or `--only=production` option',
  severity: 'info',
  layer: 'container',
  target: 'dockerfile',
  control: 'container.package-hygiene',
  status: 'stable',
  rationale:
    'npm 7 replaced `--production` and `--only=production` with `--omit=dev`. The old options still work but print ' +
    'a deprecation warning on every build, and a future npm release may drop them, at which point the image would ' +
    'quietly start to contain devDependencies again.',
  fix: 'Write `--omit=dev` in place of `--production` or `--only=production`, as in `npm ci --omit=dev`.',
  currentGuidance:
    'The security baseline recommends `npm ci --only=production`. Current npm documents `--omit=dev` for the same ' +
    'result, and InfraPrime follows it.',
  references: [
    'https://docs.npmjs.com/cli/v10/commands/npm-ci#omit',
    'https://docs.npmjs.com/cli/v10/using-npm/config#production',
  ],
  check(model, report) {
    for (const dockerfile of model.dockerfiles) {
      for (const instruction of dockerfile.instructions) {
        for (const command of runCommands(dockerfile, instruction)) {
          const npm = parseNpmCommand(command);
          const option = npm ? deprecatedProductionOption(npm) : undefined;
          if (!npm || !option) continue;
          report({
            message: `\`npm ${npm.subcommand} ${option}\` uses a deprecated option; write \`--omit=dev\`.`,
            location: command.location,
            key: `stage ${instruction.stage}: npm ${npm.subcommand} ${option}`,
            evidence: option,
          });
        }
      }
    }
  },
});
