import type { Dockerfile, DockerInstruction } from '../../model/types.js';
import { detailOf } from '../../parsers/dockerfile.js';
import { defineRule } from '../rule.js';
import { commandText, runCommands } from './commands.js';
import { installsProject, type NpmCommand, omitsDev, parseNpmCommand } from './npm.js';
import { placedInstructions } from './ownership.js';
import { shippedStages } from './stages.js';

/** Environment settings under which npm leaves out devDependencies. */
const PRODUCTION_ENV: Record<string, RegExp> = {
  NODE_ENV: /^production$/,
  NPM_CONFIG_PRODUCTION: /^(true|1)$/i,
  npm_config_production: /^(true|1)$/i,
  NPM_CONFIG_OMIT: /(^|\s|,)dev($|\s|,)/,
  npm_config_omit: /(^|\s|,)dev($|\s|,)/,
};

export const npmDevDependenciesRule = defineRule({
  id: 'DF018',
  name: 'npm-dev-dependencies',
  title: 'Shipped image installs npm devDependencies',
  severity: 'low',
  layer: 'container',
  target: 'dockerfile',
  control: 'container.package-hygiene',
  status: 'stable',
  rationale:
    'devDependencies are test runners, bundlers, linters and type checkers. In the shipped image they are never ' +
    'run, but they often outnumber the runtime packages, each one can carry a vulnerability that scanners report ' +
    'and someone must patch, and some of them execute code when they are loaded.',
  fix:
    'Install with `npm ci --omit=dev` in the shipped stage, or build in an earlier stage and copy `node_modules` ' +
    'after `npm prune --omit=dev`.',
  currentGuidance:
    'The security baseline recommends `npm ci --only=production`. npm 7 replaced `--only` and `--production` with ' +
    '`--omit=dev`, and current npm releases print a deprecation warning for the old options. This rule accepts ' +
    'both, and DF019 reports the old spelling.',
  limitations: [
    'Only the stages that end up in a shipped image are checked, including the stages they are built `FROM`.',
    'devDependencies are taken as left out when the install has `--omit=dev`, `--production` or ' +
      '`--only=production`, when `NODE_ENV=production` or `NPM_CONFIG_OMIT=dev` is set with `ENV` or on the ' +
      'command, or when a later `npm prune --omit=dev` runs in the same image.',
    'A project without devDependencies is reported all the same, because `package.json` is not read.',
  ],
  references: [
    'https://docs.npmjs.com/cli/v10/commands/npm-ci#omit',
    'https://docs.npmjs.com/cli/v10/commands/npm-prune',
  ],
  check(model, report) {
    for (const dockerfile of model.dockerfiles) {
      for (const index of shippedStages(model, dockerfile)) {
        const placed = placedInstructions(dockerfile, index).map((entry) => entry.instruction);
        placed.forEach((instruction, position) => {
          for (const command of runCommands(dockerfile, instruction)) {
            const npm = parseNpmCommand(command);
            if (!npm || !installsProject(npm) || omitsDev(npm)) continue;
            if (productionByEnv(npm, placed.slice(0, position))) continue;
            if (prunedLater(dockerfile, placed.slice(position))) continue;
            const text = commandText(dockerfile, command);
            report({
              message: `\`${text}\` installs devDependencies into the shipped image; add \`--omit=dev\`.`,
              location: command.location,
              key: `stage ${instruction.stage}: ${text}`,
              evidence: text,
            });
          }
        });
      }
    }
  },
});

/** True when an assignment on the command, or an earlier `ENV`, makes npm leave out devDependencies. */
function productionByEnv(npm: NpmCommand, earlier: DockerInstruction[]): boolean {
  const values = new Map<string, string | undefined>();
  for (const instruction of earlier) {
    if (instruction.keyword !== 'ENV') continue;
    for (const property of detailOf(instruction).properties)
      values.set(property.name, property.value);
  }
  for (const [name, value] of npm.command.assignments) values.set(name, value);
  return Object.entries(PRODUCTION_ENV).some(([name, pattern]) =>
    pattern.test(values.get(name) ?? ''),
  );
}

/** True when a later `npm prune` in the image removes devDependencies. */
function prunedLater(dockerfile: Dockerfile, later: DockerInstruction[]): boolean {
  return later.some((instruction) =>
    runCommands(dockerfile, instruction).some((command) => {
      const npm = parseNpmCommand(command);
      return npm?.subcommand === 'prune' && omitsDev(npm);
    }),
  );
}
