import { defineRule } from '../rule.js';
import { maskSecret } from '../secrets/patterns.js';
import type { ServerWord } from './command.js';
import { redisSetups } from './helpers.js';

/** Options whose argument is a password: the server's own and the one it uses with its primary. */
const PASSWORD_OPTIONS = new Set(['requirepass', 'masterauth']);

/** Returns the literal passwords among an option's arguments, with where each is written. */
function literalPasswords(key: string, args: readonly ServerWord[]): ServerWord[] {
  const literal = (word: ServerWord) => !word.variable && word.value !== '';
  if (PASSWORD_OPTIONS.has(key)) return args.slice(0, 1).filter(literal);
  if (key !== 'user') return [];
  // `--user app on >secret ~* +@all`: `>` adds a clear-text password, `#` a SHA-256 hash.
  return args.filter((word) => word.value.startsWith('>') && literal(word));
}

export const passwordOnCommandLineRule = defineRule({
  id: 'RD006',
  name: 'redis-password-on-command-line',
  title: 'Redis password is written into the service command',
  severity: 'high',
  layer: 'data',
  target: 'redis',
  control: 'data.secrets-management',
  status: 'stable',
  rationale:
    'A password written after `--requirepass`, `--masterauth` or a `--user ... >password` option is stored in the repository with the compose file or Dockerfile, and every clone and fork has it. ' +
    'It also shows in `docker inspect` and in the process list of the host, so it leaks even after the repository is cleaned.',
  fix: 'Move the users and passwords into a redis.conf or ACL file mounted from a Compose secret, or at least take the value from `${REDIS_PASSWORD}`; then change the exposed password.',
  limitations: [
    'A password taken from `${VAR}` is not reported, although it still shows in `docker inspect` and the process list.',
  ],
  references: [
    'https://docs.docker.com/compose/how-tos/use-secrets/',
    'https://redis.io/docs/latest/operate/oss_and_stack/management/security/acl/',
  ],
  check(model, report) {
    for (const setup of redisSetups(model)) {
      for (const option of setup.options) {
        for (const word of literalPasswords(option.key, option.args)) {
          report({
            message: `\`--${option.key}\` of service '${setup.service?.name}' is given a literal password`,
            location: word.location,
            key: `${setup.service?.name}:${option.key}`,
            evidence: maskSecret(word.value.replace(/^>/, '')),
          });
        }
      }
    }
  },
});
