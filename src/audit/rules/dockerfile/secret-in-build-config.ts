import type { Dockerfile, DockerInstruction } from '../../model/types.js';
import { detailOf } from '../../parsers/dockerfile.js';
import { defineRule, type Report } from '../rule.js';
import { isPlaceholder, isSecretName, maskSecret, secretInValue } from './secrets.js';
import { shippedLayerStages } from './stages.js';

export const secretInBuildConfigRule = defineRule({
  id: 'DF011',
  name: 'secret-in-build-config',
  title: 'Secret in `ENV`, `ARG` or `LABEL`',
  severity: 'high',
  layer: 'container',
  target: 'dockerfile',
  control: 'container.no-secrets',
  status: 'stable',
  rationale:
    '`ENV` and `LABEL` values are stored in the image configuration, and `ARG` values are recorded in the image ' +
    'history of every `RUN` that uses them, so `docker inspect` and `docker history` show them to anyone who can ' +
    'pull the image. A literal secret is also in the repository for everyone with read access.',
  fix:
    'Pass build-time secrets with BuildKit secret mounts, `RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci`, ' +
    'built with `docker build --secret id=npm_token,env=NPM_TOKEN`, and give runtime secrets to the container ' +
    'through compose `secrets:` or an env file that git ignores. Rotate any secret that was committed.',
  limitations: [
    'Names are recognized by their last words: `PASSWORD`, `PASS`, `SECRET`, `TOKEN`, `CREDENTIALS`, and `KEY` after ' +
      'words such as `API`, `PRIVATE`, `SECRET` or `ACCESS`. Names ending in `_FILE`, `_PATH` or `_URL` are not ' +
      'secrets by name.',
    'Values are also checked for private keys, common token formats and URLs with a password, whatever the name.',
    'Empty values, bare variable references and placeholders such as `changeme` or `<token>` are not reported as ' +
      'literal secrets.',
    'A secret-named `ARG` without a literal value is reported at medium severity, and only in stages that end up ' +
      'in a shipped image.',
  ],
  references: [
    'https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/',
    'https://docs.docker.com/build/building/secrets/',
  ],
  check(model, report) {
    for (const dockerfile of model.dockerfiles) {
      const shipped = shippedLayerStages(model, dockerfile);
      for (const instruction of dockerfile.instructions) {
        if (!['ENV', 'ARG', 'LABEL'].includes(instruction.keyword)) continue;
        const inShippedLayer = instruction.stage < 0 || shipped.has(instruction.stage);
        for (const finding of secretsOf(dockerfile, instruction, inShippedLayer)) report(finding);
      }
    }
  },
});

function secretsOf(
  dockerfile: Dockerfile,
  instruction: DockerInstruction,
  inShippedLayer: boolean,
): Report[] {
  const reports: Report[] = [];
  const { keyword } = instruction;
  for (const property of detailOf(instruction).properties) {
    const location = dockerfile.file.rangeAt(
      property.nameStart,
      Math.max(property.valueEnd, property.nameEnd),
    );
    const key = `stage ${instruction.stage}: ${keyword} ${property.name}`;
    const value = property.value ?? '';
    const byFormat = secretInValue(value);
    const named = isSecretName(property.name);

    if (byFormat || (named && !isPlaceholder(value))) {
      const what = byFormat ? `contains ${byFormat}` : 'sets a literal secret';
      reports.push({
        message: `\`${keyword} ${property.name}\` ${what}, which stays in the image and the repository.`,
        location,
        key,
        evidence: `${property.name}=${maskSecret(value)}`,
      });
    } else if (named && keyword !== 'LABEL' && inShippedLayer) {
      const how =
        keyword === 'ARG'
          ? 'takes a secret as a build argument'
          : 'copies a secret into the image environment';
      reports.push({
        message: `\`${keyword} ${property.name}\` ${how}, which \`docker history\` or \`docker inspect\` reveals.`,
        location,
        key,
        evidence:
          property.value === undefined ? property.name : `${property.name}=${property.value}`,
        severity: 'medium',
      });
    }
  }
  return reports;
}
