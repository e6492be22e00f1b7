import { defineRule } from '../rule.js';
import {
  isEnvTemplate,
  isPlaceholder,
  isSecretName,
  isSwitchValue,
  isVariableReference,
  isWellKnownDefault,
  maskSecret,
} from './patterns.js';

export const envTemplateRealValueRule = defineRule({
  id: 'SC002',
  name: 'env-template-real-value',
  title: 'Env template holds what looks like a real secret',
  severity: 'medium',
  layer: 'data',
  target: 'secrets',
  control: 'data.secrets-management',
  status: 'stable',
  rationale:
    'Files such as `.env.example`, `.env.sample` and `.env.template` are committed on purpose so that others can copy them, which makes them a common place for a real password to leak. ' +
    'A template should say what belongs in each variable (`changeme`, `<password>`, empty) and never carry a working value.',
  fix: 'Replace the value with a placeholder such as `changeme` or leave it empty, and rotate the secret if it was real.',
  references: [
    'https://docs.docker.com/compose/how-tos/environment-variables/set-environment-variables/',
    'https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html',
  ],
  limitations: [
    'Placeholders are recognized from a fixed list (`changeme`, `change-me`, `<...>`, `xxx`, `your-...`, `...-here`, `example`, empty and similar); another made-up value is reported.',
    'Well-known default passwords such as `postgres`, `password` or `secret` are taken for placeholders here, because they leak nothing; SC003 still reports them in an env file that is deployed.',
  ],
  check(model, report) {
    for (const envFile of model.envFiles) {
      if (!isEnvTemplate(envFile.file.path)) continue;
      for (const entry of envFile.entries) {
        if (!isSecretName(entry.key)) continue;
        const value = entry.value;
        if (isPlaceholder(value) || isVariableReference(value)) continue;
        if (isSwitchValue(value) || isWellKnownDefault(value)) continue;
        report({
          message: `${entry.key} in template '${envFile.file.path}' has a value that is not a placeholder`,
          location: entry.location,
          key: `${envFile.file.path}:${entry.key}`,
          evidence: `${entry.key}=${maskSecret(entry.value)}`,
        });
      }
    }
  },
});
