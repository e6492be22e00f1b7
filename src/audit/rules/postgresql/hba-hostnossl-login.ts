import { defineRule } from '../rule.js';

export const hbaHostnosslLoginRule = defineRule({
  id: 'PG004',
  name: 'hba-hostnossl-login',
  title: 'pg_hba.conf allows login over connections without TLS',
  severity: 'high',
  layer: 'data',
  target: 'postgresql',
  control: 'data.encryption-in-transit',
  status: 'stable',
  rationale:
    'A `hostnossl` record matches only connections that did not negotiate TLS, so any method other than `reject` on it deliberately lets clients log in and query in plain text. ' +
    'Such records are usually meant to turn unencrypted clients away, and a login method there defeats that.',
  fix: 'Use `reject` as the method of `hostnossl` records, or remove them and rely on `hostssl` records only.',
  references: ['https://www.postgresql.org/docs/current/auth-pg-hba-conf.html'],
  check(model, report) {
    for (const hba of model.pgHba) {
      for (const entry of hba.entries) {
        if (entry.type !== 'hostnossl' || entry.method === 'reject') continue;
        report({
          message: `\`hostnossl\` record for \`${entry.address}\` lets user \`${entry.user}\` log in with \`${entry.method}\` without TLS`,
          location: entry.location,
          key: `${entry.type} ${entry.database} ${entry.user} ${entry.address ?? ''}`,
        });
      }
    }
  },
});
