import { defineRule } from '../rule.js';
import {
  analyzeNginx,
  CONTENT_SECURITY_POLICY,
  CONTENT_TYPE_OPTIONS,
  catchAllLocation,
  contextKey,
  contextLocation,
  describeServer,
  effectiveHeaders,
  FRAME_OPTIONS,
  HSTS,
  isTlsServer,
  type NginxContext,
  REFERRER_POLICY,
  servesContent,
  spellHeader,
} from './helpers.js';

/** Returns the required security headers that are not in effect at a level. */
export function missingSecurityHeaders(context: NginxContext, tls: boolean): string[] {
  const headers = effectiveHeaders(context).filter((header) => header.value !== '');
  const has = (name: string) => headers.some((header) => header.name === name);
  const csp = headers.filter((header) => header.name === CONTENT_SECURITY_POLICY);
  const missing: string[] = [];

  const framing = has(FRAME_OPTIONS) || csp.some((header) => /frame-ancestors/i.test(header.value));
  if (!framing) missing.push(spellHeader(FRAME_OPTIONS));
  const nosniff = headers.some(
    (header) => header.name === CONTENT_TYPE_OPTIONS && header.value.toLowerCase() === 'nosniff',
  );
  if (!nosniff) missing.push(`${spellHeader(CONTENT_TYPE_OPTIONS)}: nosniff`);
  if (!has(REFERRER_POLICY)) missing.push(spellHeader(REFERRER_POLICY));
  if (csp.length === 0) missing.push(spellHeader(CONTENT_SECURITY_POLICY));
  if (tls && !has(HSTS)) missing.push(spellHeader(HSTS));
  return missing;
}

/** True when every top-level location sets the headers itself and one of them catches all. */
function coveredByLocations(server: NginxContext, tls: boolean): boolean {
  if (!catchAllLocation(server)) return false;
  return server.children.every((location) => missingSecurityHeaders(location, tls).length === 0);
}

export const missingSecurityHeadersRule = defineRule({
  id: 'NG001',
  name: 'missing-security-headers',
  title: 'Server does not send the baseline security headers',
  severity: 'medium',
  layer: 'application',
  target: 'nginx',
  control: 'application.security-headers',
  status: 'stable',
  rationale:
    'Browsers apply their clickjacking, MIME-sniffing, referrer and script-source protections only when the response asks for them. ' +
    'A proxy that sets X-Frame-Options (or CSP frame-ancestors), X-Content-Type-Options: nosniff, Referrer-Policy and Content-Security-Policy, ' +
    'plus Strict-Transport-Security on TLS servers, gives every application behind it those protections even when the application forgets them.',
  fix: 'Add the missing headers with `add_header NAME VALUE always;` at the server level (or in an included snippet), and keep nested levels from redefining `add_header`.',
  limitations: [
    'Headers that the upstream application sets itself are not visible to a static check, so a server whose application sends them is still reported.',
    'Headers set inside `if` blocks are not counted, because they apply only to some requests.',
  ],
  references: [
    'https://owasp.org/www-project-secure-headers/',
    'https://nginx.org/en/docs/http/ngx_http_headers_module.html#add_header',
    'https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Content-Security-Policy/frame-ancestors',
  ],
  check(model, report) {
    for (const { config, effective } of analyzeNginx(model)) {
      for (const server of effective.servers) {
        if (!servesContent(server)) continue;
        const tls = isTlsServer(server);
        const missing = missingSecurityHeaders(server, tls);
        if (missing.length === 0 || coveredByLocations(server, tls)) continue;
        report({
          message: `${describeServer(server)} does not send the security headers ${missing.join(', ')}`,
          location: contextLocation(server, config),
          key: contextKey(server),
          evidence: missing.join(', '),
        });
      }
    }
  },
});
