import { defineRule } from '../rule.js';
import { allDirectives, analyzeNginx, directiveKey, HSTS, headersOf } from './helpers.js';

/** Half a year in seconds. The HSTS preload list asks for a full year (31536000). */
const MIN_MAX_AGE = 15_552_000;

/** Returns what is weak about a Strict-Transport-Security value. */
export function hstsProblems(value: string): string[] {
  const problems: string[] = [];
  const maxAge = /max-age\s*=\s*"?(\d+)/i.exec(value);
  if (!maxAge) problems.push('has no `max-age`');
  else if (Number(maxAge[1]) < MIN_MAX_AGE) {
    problems.push('sets a `max-age` under six months (15552000 seconds)');
  }
  if (!/includeSubDomains/i.test(value)) problems.push('lacks `includeSubDomains`');
  return problems;
}

export const weakHstsRule = defineRule({
  id: 'NG012',
  name: 'weak-hsts',
  title: 'HSTS max-age is short or subdomains are not covered',
  severity: 'low',
  layer: 'application',
  target: 'nginx',
  control: 'application.security-headers',
  status: 'stable',
  rationale:
    'Strict-Transport-Security protects a browser only for `max-age` seconds after its last visit, so a short value leaves returning users open to SSL stripping. ' +
    'Without `includeSubDomains`, an attacker can still serve a plain-HTTP subdomain and use it to set cookies for the parent domain.',
  fix: 'Send `add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always;` once every subdomain serves HTTPS.',
  references: [
    'https://cheatsheetseries.owasp.org/cheatsheets/HTTP_Strict_Transport_Security_Cheat_Sheet.html',
    'https://hstspreload.org/',
  ],
  check(model, report) {
    for (const { config } of analyzeNginx(model)) {
      for (const directive of allDirectives(config)) {
        for (const header of headersOf(directive)) {
          if (header.name !== HSTS) continue;
          const problems = hstsProblems(header.value);
          if (problems.length === 0) continue;
          report({
            message: `Strict-Transport-Security \`${header.value}\` ${problems.join(' and ')}`,
            location: directive.location,
            key: directiveKey(directive),
            evidence: header.value,
          });
        }
      }
    }
  },
});
