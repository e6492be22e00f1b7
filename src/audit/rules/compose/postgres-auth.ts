import { defineRule } from '../rule.js';
import { datastoreOf, serviceKey, servicesOf } from './helpers.js';

const WEAK_METHODS = new Set(['trust', 'md5', 'password']);

/** Major version from a tag such as `13`, `13.4-alpine` or `9.6`. */
function majorOf(tag: string | undefined): number | undefined {
  const match = /^(\d+)(?:\.(\d+))?/.exec(tag ?? '');
  return match ? Number(match[1]) : undefined;
}

export const postgresAuthRule = defineRule({
  id: 'DC024',
  name: 'postgres-auth-weak',
  title: 'PostgreSQL container accepts weak authentication',
  severity: 'high',
  layer: 'data',
  target: 'compose',
  control: 'data.postgres-scram',
  status: 'stable',
  rationale:
    'The official PostgreSQL image writes the `host` rule of `pg_hba.conf` from `POSTGRES_HOST_AUTH_METHOD`: `trust` lets anyone who reaches the port in without a password, and `md5` or `password` keep hashes that can be replayed or sent in clear text. ' +
    '`scram-sha-256` is the only password method that resists both eavesdropping and stolen-hash logins.',
  fix: 'Remove `POSTGRES_HOST_AUTH_METHOD` (images 14 and later default to scram-sha-256) or set it to `scram-sha-256`; on older images also pass `POSTGRES_INITDB_ARGS: "--auth-host=scram-sha-256"`.',
  references: [
    'https://hub.docker.com/_/postgres',
    'https://www.postgresql.org/docs/current/auth-password.html',
  ],
  limitations: ['Only the environment of the compose file and its env files is read here; `pg_hba.conf` files are checked by the PostgreSQL rules.'],
  check(model, report) {
    for (const entry of servicesOf(model)) {
      const { service } = entry;
      if (datastoreOf(service) !== 'postgres') continue;
      const method = service.environment.POSTGRES_HOST_AUTH_METHOD;
      const initdb = service.environment.POSTGRES_INITDB_ARGS;
      const value = method?.value?.trim().toLowerCase();
      if (method && value && WEAK_METHODS.has(value)) {
        report({
          message: `service '${service.name}' sets POSTGRES_HOST_AUTH_METHOD=${value}${value === 'trust' ? ', so connections need no password' : ' instead of scram-sha-256'}`,
          location: method.location,
          key: serviceKey(entry, 'host-auth'),
          ...(value === 'trust' ? { severity: 'critical' as const } : {}),
        });
        continue;
      }
      const weakArg = /--auth(-host|-local)?=(trust|md5|password)\b/.exec(initdb?.value ?? '');
      if (initdb && weakArg) {
        report({
          message: `service '${service.name}' initializes the cluster with \`${weakArg[0]}\``,
          location: initdb.location,
          key: serviceKey(entry, 'initdb'),
        });
        continue;
      }
      const major = majorOf(service.image?.tag);
      const scramByArgs = /--auth(-host)?=scram-sha-256\b/.test(initdb?.value ?? '');
      if (!method && !scramByArgs && major !== undefined && major < 14) {
        report({
          message: `service '${service.name}' runs PostgreSQL ${major}, whose image defaults to md5 password authentication`,
          location: service.locate(['image'], 'value') ?? service.location,
          key: serviceKey(entry, 'default-md5'),
        });
      }
    }
  },
});
