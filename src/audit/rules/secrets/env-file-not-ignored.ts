import { defineRule } from '../rule.js';
import {
  isEnvTemplate,
  isPlaceholder,
  isSecretName,
  isSwitchValue,
  isVariableReference,
} from './patterns.js';

/** True when an env file entry carries a secret value rather than a placeholder or reference. */
function holdsSecret(entry: { key: string; value: string }): boolean {
  if (!isSecretName(entry.key)) return false;
  const value = entry.value;
  return !isPlaceholder(value) && !isVariableReference(value) && !isSwitchValue(value);
}

export const envFileNotIgnoredRule = defineRule({
  id: 'SC003',
  name: 'env-file-secret-not-ignored',
  title: 'Env file with secrets is tracked by git or not ignored',
  severity: 'high',
  layer: 'data',
  target: 'secrets',
  control: 'data.secrets-management',
  status: 'stable',
  rationale:
    'An env file is where the real passwords of a deployment live. Once git tracks it, every clone, fork, CI cache and backup of the repository has them, and removing the file later leaves them in history. ' +
    'An env file that git does not ignore is one `git add .` away from the same fate.',
  fix: 'Add the file to `.gitignore`; if git already tracks it, run `git rm --cached <file>`, commit, and rotate every secret it held. Commit a `.env.example` with placeholders instead.',
  references: [
    'https://git-scm.com/docs/gitignore',
    'https://docs.docker.com/compose/how-tos/environment-variables/best-practices/',
    'https://docs.docker.com/compose/how-tos/use-secrets/',
    'https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html',
  ],
  currentGuidance:
    "An ignored env file keeps secrets out of git, as the baseline asks, but Compose still passes them as environment variables. Docker's Compose documentation prefers Compose secrets, mounted as files, for passwords and keys.",
  limitations: [
    'Outside a git work tree only `.gitignore` files are read, so "tracked" cannot be told apart from "not ignored".',
    'Only secret-named variables with values that are not placeholders count.',
  ],
  check(model, report) {
    for (const envFile of model.envFiles) {
      const path = envFile.file.path;
      if (isEnvTemplate(path)) continue;
      const secrets = envFile.entries.filter(holdsSecret);
      const first = secrets[0];
      if (!first) continue;
      const tracked = model.tracked?.has(path) === true;
      if (!tracked && model.isIgnored(path)) continue;
      const names = secrets.map((entry) => entry.key).join(', ');
      report({
        message: tracked
          ? `'${path}' is tracked by git and holds secrets (${names})`
          : `'${path}' holds secrets (${names}) and is not ignored by git`,
        location: first.location,
        key: path,
        evidence: names,
        ...(tracked ? { severity: 'critical' as const } : {}),
      });
    }
  },
});
