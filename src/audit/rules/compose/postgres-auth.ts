import { effectiveImage } from '../../model/roles.js';
import type { ImageRef } from '../../model/types.js';
import { defineRule } from '../rule.js';
import { containerEnvironment, datastoreOf, serviceKey, servicesOf } from './helpers.js';

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
  name: 'postgres-md5-default',
  title: 'PostgreSQL image before 14 defaults to md5 authentication',
  severity: 'high',
  layer: 'data',
  target: 'compose',
  control: 'data.postgres-scram',
  status: 'stable',
  rationale:
    'The official PostgreSQL image writes the `host` rule of `pg_hba.conf` from `POSTGRES_HOST_AUTH_METHOD`, and before PostgreSQL 14 its default was `md5`. ' +
    'An md5 hash is enough to log in, so a leaked hash is as good as the password; `scram-sha-256` is the only password method that resists both eavesdropping and stolen-hash logins. ' +
    'A weak method set explicitly is reported by PG010.',
  fix: 'Move to an image of PostgreSQL 14 or later, or set `POSTGRES_HOST_AUTH_METHOD: scram-sha-256` and `POSTGRES_INITDB_ARGS: "--auth-host=scram-sha-256"`.',
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
      const major = majorOf(effectiveImage(service));
      // An explicit host method, weak or not, is PG010's to judge.
      const hostByArgs = /--auth(-host)?[= ]|(?:^|\s)-A/.test(initdb?.value ?? '');
      if (!method && !hostByArgs && major !== undefined && major < 14) {
        report({
          message: `service '${service.name}' runs PostgreSQL ${major}, whose image defaults to md5 password authentication`,
          location: service.locate(['image'], 'value') ?? service.location,
          key: serviceKey(entry, 'default-md5'),
        });
      }
    }
  },
});
