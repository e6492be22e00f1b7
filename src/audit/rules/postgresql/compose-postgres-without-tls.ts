import type { ComposeService } from '../../model/types.js';
import { defineRule } from '../rule.js';
import {
  commandWords,
  findConfFor,
  isOn,
  loadedConfs,
  postgresCommandSettings,
  runsPostgresServer,
  servicesOf,
} from './helpers.js';

/** True when the environment of a Bitnami PostgreSQL image enables TLS. */
function bitnamiTlsEnabled(service: ComposeService): boolean {
  const image = service.image?.repository ?? '';
  const value = service.environment.POSTGRESQL_ENABLE_TLS?.value;
  return /(^|\/)bitnami\/postgresql(-repmgr)?$/.test(image) && /^(yes|true|1)$/i.test(value ?? '');
}

export const composePostgresWithoutTlsRule = defineRule({
  id: 'PG009',
  name: 'compose-postgres-without-tls',
  title: 'PostgreSQL service runs without TLS',
  severity: 'high',
  layer: 'data',
  target: 'postgresql',
  control: 'data.encryption-in-transit',
  status: 'stable',
  rationale:
    "The official postgres image starts with PostgreSQL's default `ssl = off`. Unless the service's command turns TLS on or it loads a postgresql.conf that does, " +
    'every connection from the application, password exchange included, crosses the container network in plain text.',
  fix: 'Start the server with `command: postgres -c ssl=on -c ssl_cert_file=/run/secrets/server.crt -c ssl_key_file=/run/secrets/server.key`, or mount a postgresql.conf with `ssl = on` and pass `-c config_file=` pointing at it.',
  limitations: [
    'A postgresql.conf baked into a custom image, or TLS enabled through `ALTER SYSTEM`, is not seen.',
    'Services that replace the entrypoint or run another program on the image (`pg_dump`, `psql`, a shell script) are taken for client jobs and skipped, even when the script starts a server.',
  ],
  references: [
    'https://www.postgresql.org/docs/current/ssl-tcp.html',
    'https://hub.docker.com/_/postgres',
  ],
  check(model, report) {
    for (const service of servicesOf(model)) {
      if (service.datastore !== 'postgres' || !runsPostgresServer(service)) continue;
      const settings = postgresCommandSettings(commandWords(service));
      if (isOn(settings.get('ssl')) || bitnamiTlsEnabled(service)) continue;
      const loaded = loadedConfs(service, model.postgresConfs);
      // A loaded postgresql.conf is checked on its own by PG005.
      if (loaded.length > 0) continue;

      const mounted = findConfFor(service, model.postgresConfs)[0];
      const reason = mounted
        ? `mounts \`${mounted.conf.file.path}\` at \`${mounted.containerPath}\`, which the server does not load without \`-c config_file=${mounted.containerPath}\``
        : 'neither passes `-c ssl=on` nor loads a postgresql.conf that enables TLS';
      report({
        message: `service \`${service.name}\` runs PostgreSQL without TLS: it ${reason}`,
        location: service.locate(['command'], 'value') ?? service.location,
        key: service.name,
      });
    }
  },
});
