import { defineRule } from '../rule.js';
import { allDirectives, analyzeNginx, directiveKey } from './helpers.js';

const WEAK_PROTOCOLS = new Set(['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1']);
const PROTOCOL_DIRECTIVES = new Set([
  'ssl_protocols',
  'proxy_ssl_protocols',
  'grpc_ssl_protocols',
  'uwsgi_ssl_protocols',
]);

export const weakTlsProtocolsRule = defineRule({
  id: 'NG005',
  name: 'weak-tls-protocols',
  title: 'TLS protocols older than TLS 1.2 are enabled',
  severity: 'high',
  layer: 'proxy',
  target: 'nginx',
  control: 'proxy.tls',
  status: 'stable',
  rationale:
    'SSLv3, TLS 1.0 and TLS 1.1 are deprecated (RFC 8996) and open to downgrade and padding-oracle attacks such as POODLE and BEAST. ' +
    'Every browser in support speaks TLS 1.2 or 1.3, so leaving the old versions enabled only helps an attacker who can force a downgrade.',
  fix: 'Set `ssl_protocols TLSv1.2 TLSv1.3;` (Mozilla intermediate) in the `http` block or in each TLS server.',
  limitations: [
    "A server without `ssl_protocols` gets nginx's default, which enables TLSv1 and TLSv1.1 in older nginx releases and only TLSv1.2 and TLSv1.3 in current ones; the rule does not report the default.",
  ],
  references: [
    'https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_protocols',
    'https://ssl-config.mozilla.org/',
    'https://www.rfc-editor.org/rfc/rfc8996',
  ],
  check(model, report) {
    for (const { config } of analyzeNginx(model)) {
      for (const directive of allDirectives(config)) {
        if (!PROTOCOL_DIRECTIVES.has(directive.name)) continue;
        const weak = directive.args.filter((arg) => WEAK_PROTOCOLS.has(arg));
        if (weak.length === 0) continue;
        report({
          message: `\`${directive.name}\` enables ${weak.join(', ')}, which are deprecated and open to downgrade attacks`,
          location: directive.location,
          key: directiveKey(directive),
          evidence: directive.args.join(' '),
        });
      }
    }
  },
});
