import { defineRule } from '../rule.js';
import { containerEnvironment, serviceKey, servicesOf } from './helpers.js';
import { findInsecureUrls, findUrls, hasPassword, NO_CREDENTIALS } from './urls.js';

export const databaseUrlTlsRule = defineRule({
  id: 'DC023',
  name: 'database-url-without-tls',
  title: 'Database or cache URL does not require TLS',
  severity: 'high',
  layer: 'data',
  target: 'compose',
  control: 'data.encryption-in-transit',
  status: 'stable',
  rationale:
    'A connection without TLS sends credentials and every query and result in clear text, where anything on the path (another container on the network, a compromised host, a mirror port) can read or alter them. ' +
    'PostgreSQL clients default to `sslmode=prefer`, which silently falls back to clear text, so only `require` or `verify-*` guarantees encryption. Redis needs `rediss://` and a password.',
  currentGuidance:
    'The baseline accepts `sslmode=require`, which encrypts the connection but does not check the server certificate, so an attacker on the path can still pose as the server. ' +
    "The libpq documentation recommends `verify-full` for most security-sensitive environments. The rule passes `require` to match the baseline.",
  fix: 'Use `postgresql://...?sslmode=verify-full` (or at least `require`), `mysql://...?ssl-mode=REQUIRED`, and `rediss://user:password@host:6379/0`, with TLS enabled on the server.',
  references: [
    'https://www.postgresql.org/docs/current/libpq-ssl.html#LIBPQ-SSL-PROTECTION',
    'https://redis.io/docs/latest/operate/oss_and_stack/management/security/encryption/',
    'https://dev.mysql.com/doc/refman/8.0/en/using-encrypted-connections.html',
  ],
  limitations: [
    'Only URLs in the container environment (compose `environment` and `env_file`) are checked. URLs in `command`, in mounted configuration files or in code are not seen.',
    'TLS set by driver options in code is not seen, so such a URL is reported.',
    'A URL whose password comes from a variable that is unset at audit time still counts as having a password.',
  ],
  check(model, report) {
    for (const entry of servicesOf(model)) {
      const { service } = entry;
      const environment = containerEnvironment(model, service);
      const pgSslMode = environment.get('PGSSLMODE')?.value ?? undefined;
      for (const [name, variable] of environment) {
        // Credentials written as `${REDIS_PASSWORD}` are present at run time even when unset here.
        const rawHasPassword = findUrls(variable.raw ?? '').some(hasPassword);
        for (const found of findInsecureUrls(
          variable.value ?? '',
          pgSslMode ? { pgSslMode } : {},
        )) {
          const problems = found.problems.filter(
            (problem) => !(problem === NO_CREDENTIALS && rawHasPassword),
          );
          if (problems.length === 0) continue;
          const where = variable.envFile
            ? `${name} in '${variable.envFile}', loaded by service '${service.name}',`
            : `${name} of service '${service.name}'`;
          report({
            message: `${where} connects to ${found.masked}, which ${problems.join(' and ')}`,
            location: variable.location,
            key: variable.envFile ? `${variable.envFile}:${name}` : serviceKey(entry, name),
            evidence: found.masked,
          });
        }
      }
    }
  },
});
