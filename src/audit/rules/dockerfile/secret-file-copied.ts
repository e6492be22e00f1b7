import picomatch from 'picomatch';
import type { DeploymentModel, Dockerfile, DockerInstruction } from '../../model/types.js';
import { defineRule } from '../rule.js';
import { buildContexts, dockerignoreOf, inContext, isExcluded } from './build-context.js';
import { secretCertainty, secretFileCandidates, secretFileKind } from './secret-files.js';
import { shippedLayerStages, stageLabel } from './stages.js';

export const secretFileCopiedRule = defineRule({
  id: 'DF012',
  name: 'secret-file-copied',
  title: 'Secret file is copied into the image',
  severity: 'high',
  layer: 'container',
  target: 'dockerfile',
  control: 'container.no-secrets',
  status: 'stable',
  rationale:
    'Every file that `COPY` or `ADD` puts in a layer can be read by anyone who pulls the image, even when a later ' +
    'instruction deletes it. Env files, private keys and registry credentials copied this way leak with every push, ' +
    'and `COPY . .` takes them along silently when `.dockerignore` does not exclude them.',
  fix:
    'Exclude secret files in `.dockerignore` (`.env*`, `*.key`, `*.pem`, `.npmrc`). Pass what the build needs with ' +
    '`RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci`, and give runtime secrets to the container ' +
    'through compose `secrets:`.',
  limitations: [
    'Secret files are recognized by name: `.env` files other than templates such as `.env.example`, SSH private ' +
      'keys, `*.key`, `*.p12`, `*.pfx`, `*.jks`, `.pem` files, `.npmrc`, `.pypirc`, `.netrc`, `.git-credentials` ' +
      'and `.htpasswd`.',
    '`.pem` and `.npmrc` files are secrets only when they hold a private key or a token. When InfraPrime has not ' +
      'read their content, they are reported at medium severity.',
    'For `COPY .` and other folder copies, only files InfraPrime read or git tracks are known, and `.dockerignore` ' +
      'is applied with Docker pattern rules. A copy into a build stage that is not shipped is reported at medium ' +
      'severity, because the file still reaches the build cache.',
  ],
  references: [
    'https://docs.docker.com/build/building/secrets/',
    'https://docs.docker.com/build/concepts/context/#dockerignore-files',
  ],
  check(model, report) {
    for (const dockerfile of model.dockerfiles) {
      const shipped = shippedLayerStages(model, dockerfile);
      for (const instruction of dockerfile.instructions) {
        if (instruction.keyword !== 'COPY' && instruction.keyword !== 'ADD') continue;
        if (instruction.flags.from !== undefined || instruction.argText.startsWith('<<')) continue;
        const found = copiedSecrets(model, dockerfile, instruction);
        if (found.size === 0) continue;

        const certain = [...found.values()].every((certainty) => certainty === 'certain');
        const inShipped = shipped.has(instruction.stage);
        const names = [...found.keys()].map((path) => `\`${path}\``).join(', ');
        const stage = dockerfile.stages[instruction.stage];
        const where =
          inShipped || !stage
            ? 'into the image'
            : `into ${stageLabel(stage)}, whose layers stay in the build cache`;
        const hedge = certain ? '' : ', which may hold secrets,';
        report({
          message: `\`${instruction.keyword}\` copies ${names}${hedge} ${where}; exclude ${found.size === 1 ? 'it' : 'them'} in \`.dockerignore\` and use a secret mount.`,
          location: instruction.location,
          key: `${instruction.keyword} ${instruction.argText}`,
          evidence: [...found.keys()].join(', '),
          ...(certain && inShipped ? {} : { severity: 'medium' as const }),
        });
      }
    }
  },
});

/** Returns the secret files a `COPY` or `ADD` takes from its build contexts, by repository path. */
function copiedSecrets(
  model: DeploymentModel,
  dockerfile: Dockerfile,
  instruction: DockerInstruction,
): Map<string, 'certain' | 'possible'> {
  const found = new Map<string, 'certain' | 'possible'>();
  const sources = instruction.args
    .slice(0, -1)
    .filter((source) => !/^[a-z]+:\/\/|^git@|\$/i.test(source));
  for (const context of buildContexts(model, dockerfile)) {
    const ignore = dockerignoreOf(model, dockerfile, context);
    const prefix = context ? `${context}/` : '';
    const inside = secretFileCandidates(model).filter((path) => path.startsWith(prefix));
    for (const source of sources) {
      const relative = inContext('', source);
      const isGlob = isGlobPattern(source);
      if (!isGlob && secretFileKind(source) && !isExcluded(ignore, relative)) {
        const certainty = secretCertainty(model, inContext(context, source));
        if (certainty !== 'none') found.set(inContext(context, source), certainty);
        continue;
      }
      const covers = coverage(relative);
      for (const path of inside) {
        const within = path.slice(prefix.length);
        if (!covers(within) || isExcluded(ignore, within)) continue;
        const certainty = secretCertainty(model, path);
        if (certainty !== 'none') found.set(path, certainty);
      }
    }
  }
  return found;
}

/** True when `source` is a glob; most are plain paths, which skip picomatch's scanner. */
function isGlobPattern(source: string): boolean {
  return /[*?[\]{}()!+@]/.test(source) && picomatch.scan(source).isGlob;
}

/** Returns a test for the context paths that a `COPY` source copies: a folder's files, or a glob's matches. */
function coverage(source: string): (path: string) => boolean {
  if (source === '' || source === '.') return () => true;
  if (isGlobPattern(source)) {
    const matches = picomatch(source, { dot: true });
    return (path) =>
      matches(path) ||
      path.split('/').some((_, i, parts) => matches(parts.slice(0, i + 1).join('/')));
  }
  return (path) => path.startsWith(`${source}/`);
}
