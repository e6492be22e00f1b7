import { defineRule } from '../rule.js';
import { allDirectives, analyzeNginx, directiveKey } from './helpers.js';

export const hostHeaderSpoofingRule = defineRule({
  id: 'NG014',
  name: 'host-header-spoofing',
  title: 'Client-supplied Host header is passed on unchecked',
  severity: 'medium',
  layer: 'proxy',
  target: 'nginx',
  control: 'proxy.hardening',
  status: 'stable',
  rationale:
    '`$http_host` is the Host header exactly as the client sent it, even when it matches no `server_name`, while `$host` is normalized and falls back to the server name. ' +
    'Passing `$http_host` to the application or into a redirect lets an attacker choose the host in password-reset links, absolute URLs and cached redirects.',
  fix: 'Use `$host` instead of `$http_host`, and add a default server that rejects unknown hosts with `return 444;`.',
  references: [
    'https://github.com/yandex/gixy/blob/master/docs/en/plugins/hostspoofing.md',
    'https://portswigger.net/web-security/host-header',
  ],
  check(model, report) {
    for (const { config } of analyzeNginx(model)) {
      for (const directive of allDirectives(config)) {
        const forwarded =
          directive.name === 'proxy_set_header' && directive.args[0]?.toLowerCase() === 'host';
        const redirect = directive.name === 'return' || directive.name === 'rewrite';
        if (!forwarded && !redirect) continue;
        const values = forwarded ? directive.args.slice(1) : directive.args;
        if (!values.some((value) => value.includes('$http_host'))) continue;
        report({
          message: forwarded
            ? "`proxy_set_header Host $http_host` forwards the client's Host header unchecked instead of `$host`"
            : `\`${directive.name}\` builds a redirect from the unchecked \`$http_host\` instead of \`$host\``,
          location: directive.location,
          key: directiveKey(directive),
        });
      }
    }
  },
});
