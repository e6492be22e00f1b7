import { defineRule } from '../rule.js';
import { envFileAt, serviceKey, servicesOf } from './helpers.js';
import { findInsecureUrls } from './urls.js';

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
    'PostgreSQL clients default to `sslmode=prefer`, which silently falls back to clear text, so only `require` or `verify-*` guarantees encryption; Redis needs `rediss://` and a password.',
  fix: 'Use `postgresql://...?sslmode=verify-full` (or at least `require`), `mysql://...?ssl-mode=REQUIRED`, and `rediss://user:password@host:6379/0`, with TLS enabled on the server.',
  references: [
    'https://www.postgresql.org/docs/current/libpq-ssl.html#LIBPQ-SSL-PROTECTION',
    'https://redis.io/docs/latest/operate/oss_and_stack/management/security/encryption/',
    'https://dev.mysql.com/doc/refman/8.0/en/using-encrypted-connections.html',
  ],
  limitations: [
    'Only URLs are checked; separate variables such as `PGSSLMODE` or driver options set in code are not seen.',
    'PostgreSQL URLs pass only with `sslmode`; driver-specific options such as `ssl=true` are not read.',
  ],
  check(model, report) {
    for (const entry of servicesOf(model)) {
      const { service } = entry;
      for (const [name, variable] of Object.entries(service.environment)) {
        for (const found of findInsecureUrls(variable.value ?? '')) {
          report({
            message: `${name} of service '${service.name}' connects to ${found.masked}, which ${found.problems.join(' and ')}`,
            location: variable.location,
            key: serviceKey(entry, name),
            evidence: found.masked,
          });
        }
      }
      for (const envFile of service.envFiles) {
        const parsed = envFileAt(model, envFile.path);
        for (const line of parsed?.entries ?? []) {
          if (Object.hasOwn(service.environment, line.key)) continue;
          for (const found of findInsecureUrls(line.value)) {
            report({
              message: `${line.key} in '${envFile.path}', loaded by service '${service.name}', connects to ${found.masked}, which ${found.problems.join(' and ')}`,
              location: line.location,
              key: `${envFile.path}:${line.key}`,
              evidence: found.masked,
            });
          }
        }
      }
    }
  },
});
