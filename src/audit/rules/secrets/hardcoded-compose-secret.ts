import type { EnvironmentValue } from '../../model/types.js';
import { serviceKey, servicesOf } from '../compose/helpers.js';
import { maskUrl } from '../compose/urls.js';
import { defineRule } from '../rule.js';
import { isSecretName, isSwitchValue, maskSecret } from './patterns.js';

/** A `${NAME:-value}` or `${NAME-value}` whose default is a literal. */
const LITERAL_DEFAULT = /\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^$}][^}]*)\}/;
/** A URL with a literal password in its user info. */
const URL_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:([^@\s$]+)@/i;

/** A path under `/run/secrets/`, where Compose mounts each secret as a file. */
const SECRET_FILE_PATH = /^\/run\/secrets\/[^\s/][^\s]*$/;

/** Describes how a secret-named variable carries a literal secret, or returns undefined. */
function literalSecret(variable: EnvironmentValue): { evidence: string; how: string } | undefined {
  const raw = variable.raw ?? '';
  if (variable.value === null || variable.value === '' || isSwitchValue(variable.value))
    return undefined;
  // Such a path names the file that contains the secret, not the secret itself.
  if (SECRET_FILE_PATH.test(variable.value)) return undefined;
  if (!variable.interpolated)
    return { evidence: maskSecret(variable.value), how: 'is set to a literal value' };
  const fallback = LITERAL_DEFAULT.exec(raw);
  if (fallback?.[1])
    return { evidence: maskSecret(fallback[1]), how: 'has a literal default value' };
  return undefined;
}

export const hardcodedComposeSecretRule = defineRule({
  id: 'SC001',
  name: 'hardcoded-secret-in-compose',
  title: 'Secret is written into the compose file',
  severity: 'high',
  layer: 'data',
  target: 'secrets',
  control: 'data.secrets-management',
  status: 'stable',
  rationale:
    'A password, token or key written in a compose file is shared with everyone who can read the repository, its forks and its history, and it stays valid after the line is deleted. ' +
    'Values that come from `${VAR}` interpolation, an env file that git ignores, or Compose `secrets` keep the secret out of the code.',
  fix: "Replace the value with `${NAME}` and set it in an ignored `.env` file or in the deployment environment, or use a Compose secret and the image's `_FILE` variable; then rotate the exposed secret.",
  references: [
    'https://docs.docker.com/compose/how-tos/use-secrets/',
    'https://docs.docker.com/compose/how-tos/environment-variables/variable-interpolation/',
    'https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html',
  ],
  currentGuidance:
    "The baseline accepts secrets passed as `${VAR}` environment variables. Docker's Compose documentation now prefers Compose secrets, mounted as files under `/run/secrets/`, because environment variables are visible to every process in the container and can end up in logs. Interpolation keeps the value out of the repository but not out of the container's environment.",
  limitations: [
    'Secrets are recognized by variable name (PASSWORD, SECRET, TOKEN, API_KEY, PRIVATE_KEY and similar) and by passwords inside URLs; a secret under an unrelated name is found only when it has a well-known format (SC004).',
    'Values of yes/no switches (`true`, `no`, `on` and similar) and names of switches such as `ALLOW_EMPTY_PASSWORD` are skipped.',
    'A value that is a path under `/run/secrets/`, such as `DB_PASSWORD=/run/secrets/db_password`, is skipped, because it names the file of a Compose secret.',
    'Only `environment` is read; a password on the command line of a Redis service is reported by RD006.',
  ],
  check(model, report) {
    for (const entry of servicesOf(model)) {
      const { service } = entry;
      for (const [name, variable] of Object.entries(service.environment)) {
        const secret = isSecretName(name) ? literalSecret(variable) : undefined;
        if (secret) {
          report({
            message: `${name} of service '${service.name}' ${secret.how}; take it from \`\${${name}}\` instead`,
            location: variable.location,
            key: serviceKey(entry, name),
            evidence: `${name}=${secret.evidence}`,
          });
          continue;
        }
        // The pattern stops at `$`, so `user:${DB_PASSWORD}@host` does not match while a literal
        // password beside an interpolated host does.
        const password = URL_PASSWORD.exec(variable.raw ?? '');
        if (password?.[1]) {
          report({
            message: `${name} of service '${service.name}' contains a URL with a literal password`,
            location: variable.location,
            key: serviceKey(entry, name),
            evidence: maskUrl(password[0]),
          });
        }
      }
    }
  },
});
