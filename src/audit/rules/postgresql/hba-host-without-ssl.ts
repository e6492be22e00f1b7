import { defineRule } from '../rule.js';
import { isLoopback } from './helpers.js';

export const hbaHostWithoutSslRule = defineRule({
  id: 'PG003',
  name: 'hba-host-without-ssl',
  title: 'pg_hba.conf accepts unencrypted TCP connections',
  severity: 'medium',
  layer: 'data',
  target: 'postgresql',
  control: 'data.encryption-in-transit',
  status: 'stable',
  rationale:
    'A `host` record matches both TLS and plain TCP connections, so a client that does not ask for TLS sends queries, results and its login exchange unencrypted. ' +
    'Anyone who can observe the container network then reads the data, and with `md5` or `password` can also replay the login.',
  fix: 'Change `host` to `hostssl` for every address other than loopback, and have clients connect with `sslmode=verify-full` (at least `require`).',
  references: [
    'https://www.postgresql.org/docs/current/auth-pg-hba-conf.html',
    'https://www.postgresql.org/docs/current/ssl-tcp.html',
  ],
  check(model, report) {
    for (const hba of model.pgHba) {
      for (const entry of hba.entries) {
        if (entry.type !== 'host' || entry.method === 'reject' || isLoopback(entry.address))
          continue;
        report({
          message: `\`host\` record for \`${entry.address}\` also accepts connections without TLS; use \`hostssl\``,
          location: entry.location,
          key: `${entry.type} ${entry.database} ${entry.user} ${entry.address ?? ''}`,
        });
      }
    }
  },
});
