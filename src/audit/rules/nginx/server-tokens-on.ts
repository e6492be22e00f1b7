import type { NginxDirective } from '../../model/types.js';
import { defineRule } from '../rule.js';
import {
  analyzeNginx,
  contextKey,
  contextLocation,
  describeContext,
  directiveKey,
  effectiveDirective,
  type NginxContext,
} from './helpers.js';

export const serverTokensOnRule = defineRule({
  id: 'NG010',
  name: 'server-tokens-on',
  title: 'nginx announces its version',
  severity: 'low',
  layer: 'proxy',
  target: 'nginx',
  control: 'proxy.hardening',
  status: 'stable',
  rationale:
    'With `server_tokens` at its default `on`, nginx puts its exact version in the `Server` header and on its error pages. ' +
    'That tells an attacker at once which published vulnerabilities apply, and costs nothing to hide.',
  fix: 'Add `server_tokens off;` to the `http` block.',
  references: ['https://nginx.org/en/docs/http/ngx_http_core_module.html#server_tokens'],
  check(model, report) {
    for (const { config, effective } of analyzeNginx(model)) {
      const reported = new Set<NginxDirective | NginxContext>();
      for (const server of effective.servers) {
        const directive = effectiveDirective(server, 'server_tokens');
        if (directive?.args[0] === 'off') continue;
        if (directive) {
          if (reported.has(directive)) continue;
          reported.add(directive);
          report({
            message: `\`server_tokens ${directive.args.join(' ')}\` puts the nginx version in response headers and error pages`,
            location: directive.location,
            key: directiveKey(directive),
          });
          continue;
        }

        // Reported once at the `http` block, where the fix belongs, rather than once per server.
        const holder = server.parent?.kind === 'http' ? server.parent : server;
        if (reported.has(holder)) continue;
        reported.add(holder);
        report({
          message: `\`server_tokens\` is not \`off\` in ${describeContext(holder)}, so responses carry the nginx version`,
          location: contextLocation(holder, config),
          key: contextKey(holder),
        });
      }
    }
  },
});
