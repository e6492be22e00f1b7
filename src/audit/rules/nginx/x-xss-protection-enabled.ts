import { defineRule } from '../rule.js';
import { allDirectives, analyzeNginx, directiveKey, headersOf, XSS_PROTECTION } from './helpers.js';

export const xssProtectionEnabledRule = defineRule({
  id: 'NG004',
  name: 'x-xss-protection-enabled',
  title: 'X-XSS-Protection enables the legacy XSS filter',
  severity: 'low',
  layer: 'application',
  target: 'nginx',
  control: 'application.security-headers',
  status: 'stable',
  rationale:
    'The XSS filter that `X-XSS-Protection: 1` switches on has been removed from current browsers, and where it still exists its blocking mode can be abused to ' +
    'detect or remove parts of a page across origins. Sending it gives no protection today and can create a cross-site leak in old browsers.',
  fix: 'Send `add_header X-XSS-Protection "0" always;` or remove the header, and rely on Content-Security-Policy against script injection.',
  currentGuidance:
    'The baseline nginx example sends `X-XSS-Protection "1; mode=block"`. Current OWASP guidance is to send `0` or omit the header and to use Content-Security-Policy instead.',
  references: [
    'https://owasp.org/www-project-secure-headers/#x-xss-protection',
    'https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/X-XSS-Protection',
  ],
  check(model, report) {
    for (const { config } of analyzeNginx(model)) {
      for (const directive of allDirectives(config)) {
        for (const header of headersOf(directive)) {
          if (header.name !== XSS_PROTECTION || header.value.trim().startsWith('0')) continue;
          report({
            message: `\`X-XSS-Protection: ${header.value}\` enables the legacy XSS filter instead of turning it off with \`0\``,
            location: directive.location,
            key: directiveKey(directive),
            evidence: header.value,
          });
        }
      }
    }
  },
});
