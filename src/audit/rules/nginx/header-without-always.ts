import { defineRule } from '../rule.js';
import {
  allDirectives,
  analyzeNginx,
  directiveKey,
  headersOf,
  SECURITY_HEADERS,
  spellHeader,
} from './helpers.js';

export const headerWithoutAlwaysRule = defineRule({
  id: 'NG002',
  name: 'header-without-always',
  title: 'Security header is not sent on error responses',
  severity: 'low',
  layer: 'application',
  target: 'nginx',
  control: 'application.security-headers',
  status: 'stable',
  rationale:
    'Without the `always` parameter nginx adds a header only to 200, 201, 204, 206, 301, 302, 303, 304, 307 and 308 responses. ' +
    'Error pages (404, 403, 500 and the rest) then go out without the protection, and error pages are a common place for reflected content and framing attacks.',
  fix: 'Append `always` to the directive, as in `add_header X-Content-Type-Options "nosniff" always;`.',
  references: ['https://nginx.org/en/docs/http/ngx_http_headers_module.html#add_header'],
  check(model, report) {
    for (const { config } of analyzeNginx(model)) {
      for (const directive of allDirectives(config)) {
        if (directive.name !== 'add_header') continue;
        const [header] = headersOf(directive);
        if (!header || header.always || !SECURITY_HEADERS.has(header.name)) continue;
        report({
          message: `\`add_header ${spellHeader(header.name)}\` has no \`always\`, so error responses are sent without it`,
          location: directive.location,
          key: directiveKey(directive),
        });
      }
    }
  },
});
