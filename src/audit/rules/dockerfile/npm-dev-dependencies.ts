import type { DeploymentModel, Dockerfile, DockerInstruction } from '../../model/types.js';
import { expandVariables } from '../../parsers/dockerfile/variables.js';
import { detailOf } from '../../parsers/dockerfile.js';
import { defineRule } from '../rule.js';
import { commandText, runCommands } from './commands.js';
import { installsProject, type NpmCommand, omitsDev, parseNpmCommand } from './npm.js';
import { placedInstructions } from './ownership.js';
import { servicesBuilding, shippedStages } from './stages.js';

/** Build arguments passed to a stage: `build.args` of one compose service, or none. */
type BuildArgs = ReadonlyMap<string, string | undefined>;

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
    '`ENV NODE_ENV=$NODE_ENV` takes the `ARG` default, or the `build.args` value of each compose service ' +
      'that builds the stage. A build argument that compose takes from its own environment is unknown, so ' +
      'the `ARG` default applies.',
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
        const argSets = buildArgSets(model, dockerfile, index);
        placed.forEach((instruction, position) => {
          for (const command of runCommands(dockerfile, instruction)) {
            const npm = parseNpmCommand(command);
            if (!npm || !installsProject(npm) || omitsDev(npm)) continue;
            const earlier = placed.slice(0, position);
            const production = (args: BuildArgs) => productionByEnv(dockerfile, npm, earlier, args);
            if (argSets.every(production)) continue;
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

/** Lists the `build.args` of each compose service that builds stage `index`, or one empty set. */
function buildArgSets(model: DeploymentModel, dockerfile: Dockerfile, index: number): BuildArgs[] {
  const services = servicesBuilding(model, dockerfile, index);
  if (services.length === 0) return [new Map()];
  return services.map((service) => service.build?.args ?? new Map());
}

/**
 * True when an assignment on the command, or an earlier `ENV`, makes npm leave out
 * devDependencies. `ARG` values follow Docker's scoping: a stage reads only its own `ARG`
 * declarations, each taking the build argument, then its default, then the global default.
 */
function productionByEnv(
  dockerfile: Dockerfile,
  npm: NpmCommand,
  earlier: DockerInstruction[],
  buildArgs: BuildArgs,
): boolean {
  const globalDefaults = globalArgDefaults(dockerfile, buildArgs);
  const env = new Map<string, string | undefined>();
  let args = new Map<string, string | undefined>();
  let stage: number | undefined;
  const lookup = (name: string) => (env.has(name) ? env.get(name) : args.get(name));

  for (const instruction of earlier) {
    if (instruction.stage !== stage) {
      stage = instruction.stage;
      args = new Map();
    }
    if (instruction.keyword !== 'ARG' && instruction.keyword !== 'ENV') continue;
    for (const { name, value } of detailOf(instruction).properties) {
      if (instruction.keyword === 'ENV') {
        env.set(name, value === undefined ? undefined : expandVariables(value, lookup));
      } else if (buildArgs.get(name) !== undefined) {
        args.set(name, buildArgs.get(name));
      } else {
        args.set(
          name,
          value === undefined ? globalDefaults.get(name) : expandVariables(value, lookup),
        );
      }
    }
  }
  for (const [name, value] of npm.command.assignments) env.set(name, value);
  return Object.entries(PRODUCTION_ENV).some(([name, pattern]) =>
    pattern.test(env.get(name) ?? ''),
  );
}

/** Values of the `ARG` declarations before the first `FROM`, with build arguments applied. */
function globalArgDefaults(
  dockerfile: Dockerfile,
  buildArgs: BuildArgs,
): Map<string, string | undefined> {
  const values = new Map<string, string | undefined>();
  for (const instruction of dockerfile.globalArgs) {
    for (const { name, value } of detailOf(instruction).properties) {
      values.set(name, buildArgs.get(name) ?? value);
    }
  }
  return values;
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
