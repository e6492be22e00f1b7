import type { PgHbaEntry } from '../../model/types.js';
import { defineRule } from '../rule.js';
import { isLoopback } from './helpers.js';

/** True when pg_hba address `outer` covers every client that address `inner` matches. */
function covers(outer: string | undefined, inner: string | undefined): boolean {
  if (outer === 'all' || outer === inner) return true;
  if (outer === '0.0.0.0/0' || outer === '0.0.0.0 0.0.0.0')
    return /^\d+\.\d+\.\d+\.\d+/.test(inner ?? '');
  return outer === '::/0' && (inner ?? '').includes(':');
}

/**
 * True when an earlier `hostnossl ... reject` record matches every plain connection that
 * `entry` would, so `entry` in effect only accepts TLS. PostgreSQL uses the first matching record.
 */
function shadowedByReject(entry: PgHbaEntry, earlier: readonly PgHbaEntry[]): boolean {
  return earlier.some(
    (record) =>
      record.type === 'hostnossl' &&
      record.method === 'reject' &&
      (record.database === 'all' || record.database === entry.database) &&
      (record.user === 'all' || record.user === entry.user) &&
      covers(record.address, entry.address),
  );
}

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
  limitations: [
    'A `host` record that follows a `hostnossl ... reject` record for the same or all databases, users and addresses is not reported; partly overlapping address ranges are not compared.',
  ],
  check(model, report) {
    for (const hba of model.pgHba) {
      for (const [index, entry] of hba.entries.entries()) {
        if (entry.type !== 'host' || entry.method === 'reject' || isLoopback(entry.address))
          continue;
        if (shadowedByReject(entry, hba.entries.slice(0, index))) continue;
        report({
          message: `\`host\` record for \`${entry.address}\` also accepts connections without TLS; use \`hostssl\``,
          location: entry.location,
          key: `${entry.type} ${entry.database} ${entry.user} ${entry.address ?? ''}`,
        });
      }
    }
  },
});
