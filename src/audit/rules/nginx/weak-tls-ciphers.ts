import { defineRule } from '../rule.js';
import { allDirectives, analyzeNginx, directiveKey } from './helpers.js';

const CIPHER_DIRECTIVES = new Set([
  'ssl_ciphers',
  'proxy_ssl_ciphers',
  'grpc_ssl_ciphers',
  'uwsgi_ssl_ciphers',
]);

/** OpenSSL cipher-string elements that add broken or unauthenticated suites. */
const WEAK_ELEMENT =
  /RC4|(^|[-+])DES($|-)|3DES|DES-CBC3|MD5|NULL|^EXP|EXPORT|^ADH|^AECDH|^ALL$|^LOW$|^COMPLEMENTOFALL$/i;

/** Returns the elements of an OpenSSL cipher string that enable weak suites. */
export function weakCipherElements(cipherString: string): string[] {
  return cipherString
    .split(/[:,\s]+/)
    .filter((element) => element !== '' && !element.startsWith('!') && !element.startsWith('-'))
    .map((element) => element.replace(/^\+/, ''))
    .filter((element) => element.split('+').some((part) => WEAK_ELEMENT.test(part)));
}

export const weakTlsCiphersRule = defineRule({
  id: 'NG006',
  name: 'weak-tls-ciphers',
  title: 'TLS cipher list enables weak ciphers',
  severity: 'high',
  layer: 'proxy',
  target: 'nginx',
  control: 'proxy.tls',
  status: 'stable',
  rationale:
    'RC4, DES and 3DES, MD5-based MACs, NULL encryption, export-grade and anonymous (aNULL) suites are broken or give no authentication, ' +
    "so a client that negotiates one of them can be read or impersonated. Mozilla's intermediate configuration lists only AEAD suites with forward secrecy.",
  fix: "Use Mozilla's intermediate list, `ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305`, or exclude the weak elements with `!`.",
  limitations: [
    'Broad keywords such as `HIGH` or `DEFAULT` are not expanded, so weak suites they would add without a matching `!` exclusion are not reported.',
  ],
  references: [
    'https://ssl-config.mozilla.org/',
    'https://wiki.mozilla.org/Security/Server_Side_TLS',
    'https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_ciphers',
  ],
  check(model, report) {
    for (const { config } of analyzeNginx(model)) {
      for (const directive of allDirectives(config)) {
        if (!CIPHER_DIRECTIVES.has(directive.name)) continue;
        const weak = weakCipherElements(directive.args.join(':'));
        if (weak.length === 0) continue;
        report({
          message: `\`${directive.name}\` enables weak ciphers through ${weak.map((element) => `\`${element}\``).join(', ')}`,
          location: directive.location,
          key: directiveKey(directive),
          evidence: weak.join(':'),
        });
      }
    }
  },
});
