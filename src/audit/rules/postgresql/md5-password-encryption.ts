import { defineRule } from '../rule.js';
import { lastEntry } from './helpers.js';

export const md5PasswordEncryptionRule = defineRule({
  id: 'PG006',
  name: 'md5-password-encryption',
  title: 'Passwords are stored as MD5 hashes',
  severity: 'medium',
  layer: 'data',
  target: 'postgresql',
  control: 'data.postgres-authentication',
  status: 'stable',
  rationale:
    'With `password_encryption = md5`, new and changed passwords are stored as the MD5 hash of password and user name, which is fast to brute-force and works as a login credential by itself. ' +
    'PostgreSQL 14 and later default to `scram-sha-256`, so this setting deliberately downgrades it, and PostgreSQL 18 deprecates MD5 passwords altogether.',
  fix: 'Set `password_encryption = scram-sha-256` and have each user set their password again.',
  references: [
    'https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-PASSWORD-ENCRYPTION',
    'https://www.postgresql.org/docs/release/18.0/',
  ],
  check(model, report) {
    for (const conf of model.postgresConfs) {
      const entry = lastEntry(conf, 'password_encryption');
      // Before PostgreSQL 10, `on` meant md5.
      if (!entry || !/^(md5|on|true)$/i.test(entry.value)) continue;
      report({
        message: `\`password_encryption = ${entry.value}\` stores new passwords as MD5; use \`scram-sha-256\``,
        location: entry.location,
        key: 'password_encryption',
      });
    }
  },
});
