import { effectiveImage } from '../../model/roles.js';
import type { ImageRef } from '../../model/types.js';
import { defineRule } from '../rule.js';
import { containerEnvironment, datastoreOf, serviceKey, servicesOf } from './helpers.js';

const WEAK_METHODS = new Set(['trust', 'md5', 'password']);

/** Images whose tag starts with the PostgreSQL major version and that use the official entrypoint. */
const VERSION_TAGGED = new Set(['library/postgres', 'postgis/postgis']);

const TIMESCALE = /(^|\/)timescaledb(-ha)?$/;

/**
 * Reads the PostgreSQL major version of an image that uses the official entrypoint: from a tag
 * such as `13`, `13.4-alpine` or `13-3.1` (PostGIS), or the `pg13` part of a TimescaleDB tag.
 */
function majorOf(image: ImageRef | undefined): number | undefined {
  if (!image?.tag) return undefined;
  const repository = image.repository.toLowerCase();
  let match: RegExpExecArray | null = null;
  if (VERSION_TAGGED.has(repository)) match = /^(\d+)/.exec(image.tag);
  else if (TIMESCALE.test(repository)) match = /(?:^|-)pg(\d+)/.exec(image.tag);
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
  limitations: [
    'Only the container environment (compose `environment` and `env_file`) is read. `pg_hba.conf` files are checked by the PostgreSQL rules.',
    'The md5 default of images before 14 is recognized only for `postgres`, `postgis/postgis` and TimescaleDB images, whose tags carry the PostgreSQL version.',
  ],
  check(model, report) {
    for (const entry of servicesOf(model)) {
      const { service } = entry;
      if (datastoreOf(service) !== 'postgres') continue;
      const environment = containerEnvironment(model, service);
      const method = environment.get('POSTGRES_HOST_AUTH_METHOD');
      const initdb = environment.get('POSTGRES_INITDB_ARGS');
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
      // `--auth-local` is not checked because it covers only the Unix socket inside the container.
      const weakArg = /(?:--auth(?:-host)?[= ]|(?:^|\s)-A\s*)(trust|md5|password)\b/.exec(
        initdb?.value ?? '',
      );
      if (initdb && weakArg) {
        report({
          message: `service '${service.name}' initializes the cluster with \`${weakArg[0].trim()}\``,
          location: initdb.location,
          key: serviceKey(entry, 'initdb'),
        });
        continue;
      }
      const major = majorOf(effectiveImage(service));
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
