import { defineRule } from '../rule.js';
import { compileStep, keptToolchainPackages } from './build-toolchain.js';
import { commandText, runCommands } from './commands.js';
import { shippedStages, stageChain } from './stages.js';

export const toolchainInFinalStageRule = defineRule({
  id: 'DF005',
  name: 'toolchain-in-final-stage',
  title: 'Build toolchain is left in the shipped image',
  severity: 'medium',
  layer: 'container',
  target: 'dockerfile',
  control: 'container.multi-stage',
  status: 'stable',
  rationale:
    'Compilers, `make`, `git` and development headers are only needed to build the application. Left in the shipped ' +
    'image they let an attacker who gets a shell compile and fetch tools in place, they add packages that scanners ' +
    'report and that need patching, and a build that runs in the final stage also leaves its sources and caches there.',
  fix:
    'Build in a separate stage (`FROM node:20 AS build`), then start the final stage from a minimal base and copy only ' +
    'the artifacts with `COPY --from=build`. Where a package must be built in place, remove the toolchain in the same ' +
    '`RUN`, for example with `apk add --virtual .build-deps ... && apk del .build-deps`.',
  limitations: [
    'Only the stages that become images are checked, including the stages they are built `FROM`.',
    'Packages are recognized by name: `build-essential`, `build-base`, compilers, `make`, `cmake`, `git`, language ' +
      'toolchains and `*-dev`/`*-devel` packages. A toolchain that comes with the base image is reported by DF003.',
    'Compile steps are recognized for npm, yarn and pnpm `build` scripts, `go build`, `cargo build`, Maven, Gradle, ' +
      '`dotnet publish`, `make`, `gcc` and `tsc`.',
  ],
  references: [
    'https://docs.docker.com/build/building/multi-stage/',
    'https://docs.docker.com/build/building/best-practices/#use-multi-stage-builds',
  ],
  check(model, report) {
    for (const dockerfile of model.dockerfiles) {
      const seen = new Set<number>();
      for (const index of shippedStages(model, dockerfile)) {
        for (const stage of stageChain(dockerfile, index)) {
          if (seen.has(stage.index)) continue;
          seen.add(stage.index);
          for (const instruction of stage.instructions) {
            for (const command of runCommands(dockerfile, instruction)) {
              const kept = keptToolchainPackages(dockerfile, instruction, command);
              const step = kept.length === 0 ? compileStep(command) : undefined;
              if (kept.length === 0 && !step) continue;
              const text = commandText(dockerfile, command);
              const message =
                kept.length > 0
                  ? `\`${command.name}\` installs build toolchain packages ${kept.map((p) => `\`${p}\``).join(', ')} into the shipped image.`
                  : `\`${step}\` compiles the application in the shipped image instead of a build stage.`;
              report({
                message,
                location: command.location,
                key: `stage ${stage.index}: ${text}`,
                evidence: text,
              });
            }
          }
        }
      }
    }
  },
});
