import type { Finding } from '../../../finding/finding.js';
import type { EnvFile } from '../../model/types.js';
import { defineRule, type Report } from '../rule.js';
import {
  type ContainerVariable,
  containerEnvironment,
  joinWords,
  serviceKey,
  servicesOf,
} from './helpers.js';
import {
  findInsecureUrls,
  findUrls,
  hasPassword,
  NO_CREDENTIALS,
  type UrlProblem,
} from './urls.js';

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
    'The libpq documentation recommends `verify-full` for most security-sensitive environments. The rule passes `require` to match the baseline.',
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
    // An env file loaded by several services is reported once, naming every service.
    const envFileHits = new Map<string, { report: Report; services: string[] }>();
    for (const entry of servicesOf(model)) {
      const { service } = entry;
      const environment = containerEnvironment(model, service);
      const pgSslMode = environment.get('PGSSLMODE')?.value ?? undefined;
      for (const [name, variable] of environment) {
        for (const found of insecureUrlsOf(variable, pgSslMode)) {
          const problems = joinWords(found.problems);
          if (!variable.envFile) {
            const related = dotenvSources(entry.project.dotenv, variable.raw);
            report({
              message: `${name} of service '${service.name}' connects to ${found.masked}, which ${problems}`,
              location: variable.location,
              key: serviceKey(entry, name),
              evidence: found.masked,
              ...(related.length > 0 ? { related } : {}),
            });
            continue;
          }
          const key = `${variable.envFile}:${name}:${found.masked}:${problems}`;
          const hit = envFileHits.get(key) ?? {
            report: {
              message: `${name} in '${variable.envFile}' connects to ${found.masked}, which ${problems}`,
              location: variable.location,
              key: `${variable.envFile}:${name}`,
              evidence: found.masked,
            },
            services: [],
          };
          if (!hit.services.includes(service.name)) hit.services.push(service.name);
          envFileHits.set(key, hit);
        }
      }
    }
    for (const { report: hit, services } of envFileHits.values()) {
      const names = joinWords(services.map((name) => `'${name}'`));
      const loadedBy = services.length === 1 ? `service ${names}` : `services ${names}`;
      report({ ...hit, message: `${hit.message} (loaded by ${loadedBy})` });
    }
  },
});

type RelatedLocation = NonNullable<Finding['related']>[number];

/** Finds the insecure URLs in one variable, leaving out problems that interpolation hides. */
function insecureUrlsOf(variable: ContainerVariable, pgSslMode: string | undefined): UrlProblem[] {
  // A password written as `${REDIS_PASSWORD}` is set at run time even when the audit cannot see it.
  // `${VAR:?message}` may hold blanks and slashes, so each expression becomes one word first.
  const raw = (variable.raw ?? '').replace(/\$\{[^}]*\}/g, 'VARIABLE');
  const rawHasPassword = findUrls(raw).some(hasPassword);
  const found = findInsecureUrls(variable.value ?? '', pgSslMode ? { pgSslMode } : {});
  return found
    .map((url) => ({
      ...url,
      problems: url.problems.filter((problem) => !(problem === NO_CREDENTIALS && rawHasPassword)),
    }))
    .filter((url) => url.problems.length > 0);
}

/** Locates the `.env` entries that supply a URL to a value written as `${NAME}`. */
function dotenvSources(
  dotenv: EnvFile | undefined,
  raw: string | null | undefined,
): RelatedLocation[] {
  if (!dotenv || !raw) return [];
  const names = [...raw.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)|\$([A-Za-z_][A-Za-z0-9_]*)/g)].map(
    (match) => match[1] ?? match[2],
  );
  return dotenv.entries
    .filter((entry) => names.includes(entry.key) && entry.value.includes('://'))
    .map((entry) => ({ message: `${entry.key} is set here`, location: entry.location }));
}
