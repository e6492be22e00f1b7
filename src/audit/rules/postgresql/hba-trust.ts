import { defineRule } from '../rule.js';

export const hbaTrustRule = defineRule({
  id: 'PG001',
  name: 'hba-trust',
  title: 'pg_hba.conf lets clients in without a password',
  severity: 'critical',
  layer: 'data',
  target: 'postgresql',
  control: 'data.postgres-authentication',
  status: 'stable',
  rationale:
    'The `trust` method accepts any client that matches the record as whichever database user it names, superusers included, without checking anything. ' +
    'On a `host` record that means every container on the network can read and change all data; on a `local` record it means every process that can reach the socket can.',
  fix: 'Use `scram-sha-256` on `host`/`hostssl` records and `peer` or `scram-sha-256` on `local` records.',
  references: [
    'https://www.postgresql.org/docs/current/auth-trust.html',
    'https://www.postgresql.org/docs/current/auth-pg-hba-conf.html',
  ],
  check(model, report) {
    for (const hba of model.pgHba) {
      for (const entry of hba.entries) {
        if (entry.method !== 'trust') continue;
        const where =
          entry.type === 'local'
            ? 'local socket connections'
            : `connections from \`${entry.address}\``;
        report({
          message: `\`${entry.type}\` record trusts ${where} for user \`${entry.user}\` on database \`${entry.database}\` without a password`,
          location: entry.location,
          key: `${entry.type} ${entry.database} ${entry.user} ${entry.address ?? ''}`,
          severity: entry.type === 'local' ? 'high' : 'critical',
        });
      }
    }
  },
});
