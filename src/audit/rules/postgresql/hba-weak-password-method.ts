import { defineRule } from '../rule.js';

export const hbaWeakPasswordMethodRule = defineRule({
  id: 'PG002',
  name: 'hba-weak-password-method',
  title: 'pg_hba.conf uses md5 or cleartext password authentication',
  severity: 'medium',
  layer: 'data',
  target: 'postgresql',
  control: 'data.postgres-authentication',
  status: 'stable',
  rationale:
    'The `password` method sends the password in clear text, and `md5` stores a hash that works as the password itself, so a stolen `pg_authid` row or a captured handshake lets an attacker log in. ' +
    '`scram-sha-256` proves knowledge of the password without revealing it and stores a salted, iterated verifier instead.',
  fix: 'Set `password_encryption = scram-sha-256`, have each user set their password again, and change the method to `scram-sha-256` (or set `POSTGRES_INITDB_ARGS: --auth-host=scram-sha-256` for the official image).',
  references: [
    'https://www.postgresql.org/docs/current/auth-password.html',
    'https://www.postgresql.org/docs/current/auth-pg-hba-conf.html',
  ],
  check(model, report) {
    for (const hba of model.pgHba) {
      for (const entry of hba.entries) {
        if (entry.method !== 'md5' && entry.method !== 'password') continue;
        const detail =
          entry.method === 'password'
            ? 'sends passwords in clear text'
            : 'accepts MD5 password hashes';
        report({
          message: `\`${entry.type}\` record for user \`${entry.user}\` uses \`${entry.method}\`, which ${detail}; use \`scram-sha-256\``,
          location: entry.location,
          key: `${entry.type} ${entry.database} ${entry.user} ${entry.address ?? ''}`,
          severity: entry.method === 'password' ? 'high' : 'medium',
        });
      }
    }
  },
});
