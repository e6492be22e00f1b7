import type { Location } from '../../../finding/finding.js';
import { containerEnvironment } from '../compose/helpers.js';
import { defineRule } from '../rule.js';
import { runsPostgresServer, servicesOf } from './helpers.js';

const WEAK_METHODS: Record<string, 'critical' | 'high' | 'medium'> = {
  trust: 'critical',
  password: 'high',
  md5: 'medium',
};

/**
 * Returns the weak host method an initdb option string sets: `--auth-host=md5`, `--auth md5`,
 * `-A md5` or `-Amd5`. `--auth-local` only affects socket connections and is left out.
 */
function weakInitdbMethod(value: string): string | undefined {
  const match = /(?:^|\s)(?:--auth(?:-host)?[=\s]\s*|-A\s*)(trust|password|md5)(?=\s|$)/.exec(
    value,
  );
  return match?.[1];
}

export const composeHostAuthMethodRule = defineRule({
  id: 'PG010',
  name: 'compose-host-auth-method',
  title: 'PostgreSQL image is set up with a weak host authentication method',
  severity: 'high',
  layer: 'data',
  target: 'postgresql',
  control: 'data.postgres-authentication',
  status: 'stable',
  rationale:
    'The official postgres image writes `POSTGRES_HOST_AUTH_METHOD` into the `host all all all` record of the pg_hba.conf it creates, and `POSTGRES_INITDB_ARGS` passes `--auth-host` to initdb. ' +
    '`trust` there lets every container on the network log in as any user without a password; `md5` and `password` keep the weaker password schemes alive.',
  fix: 'Remove `POSTGRES_HOST_AUTH_METHOD` (the image then uses `scram-sha-256`) or set `POSTGRES_INITDB_ARGS: --auth-host=scram-sha-256`, and give `POSTGRES_PASSWORD` through a secret.',
  limitations: [
    'Both settings only apply when the data folder is initialized; an existing volume keeps its old pg_hba.conf.',
  ],
  references: [
    'https://hub.docker.com/_/postgres',
    'https://www.postgresql.org/docs/current/app-initdb.html',
  ],
  check(model, report) {
    for (const service of servicesOf(model)) {
      if (service.datastore !== 'postgres' || !runsPostgresServer(service)) continue;
      const environment = containerEnvironment(model, service);
      const checks: Array<[string, { location: Location } | undefined, string | undefined]> = [];
      const hostMethod = environment.get('POSTGRES_HOST_AUTH_METHOD');
      checks.push([
        'POSTGRES_HOST_AUTH_METHOD',
        hostMethod,
        hostMethod?.value?.trim().toLowerCase(),
      ]);
      const initdb = environment.get('POSTGRES_INITDB_ARGS');
      checks.push(['POSTGRES_INITDB_ARGS', initdb, weakInitdbMethod(initdb?.value ?? '')]);

      for (const [variable, setting, method] of checks) {
        const severity = method ? WEAK_METHODS[method] : undefined;
        if (!setting || !method || !severity) continue;
        report({
          message: `service \`${service.name}\` sets \`${variable}\` to host authentication \`${method}\`; use \`scram-sha-256\``,
          location: setting.location,
          key: `${service.name} ${variable}`,
          severity,
        });
      }
    }
  },
});
