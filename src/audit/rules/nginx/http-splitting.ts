import { defineRule } from '../rule.js';
import { allDirectives, analyzeNginx, directiveKey } from './helpers.js';

/** Directives whose value ends up in a request line, a header or a Location. */
const SINKS: Record<string, number> = {
  add_header: 1,
  proxy_set_header: 1,
  proxy_pass: 0,
  return: 1,
  rewrite: 1,
};
const DECODED = /\$(uri|document_uri)(?![\w])/;

export const httpSplittingRule = defineRule({
  id: 'NG015',
  name: 'http-splitting',
  title: 'Decoded URI is written into a header or upstream request',
  severity: 'high',
  layer: 'proxy',
  target: 'nginx',
  control: 'proxy.hardening',
  status: 'stable',
  rationale:
    '`$uri` and `$document_uri` are URL-decoded, so a request for `/%0d%0aSet-Cookie:...` puts a real line break into them. ' +
    'Written into a header, a redirect or the request nginx sends upstream, that line break splits the message and lets an attacker add headers or a second request.',
  fix: 'Use `$request_uri`, which stays encoded, or capture a restricted pattern such as `([^\\s]*)` in the location regex.',
  references: [
    'https://github.com/yandex/gixy/blob/master/docs/en/plugins/httpsplitting.md',
    'https://owasp.org/www-community/attacks/HTTP_Response_Splitting',
  ],
  check(model, report) {
    for (const { config } of analyzeNginx(model)) {
      for (const directive of allDirectives(config)) {
        const first = SINKS[directive.name];
        if (first === undefined) continue;
        const index = directive.args.findIndex(
          (arg, position) => position >= first && DECODED.test(arg),
        );
        if (index === -1) continue;
        const variable = DECODED.exec(directive.args[index]!)![0];
        report({
          message: `\`${directive.name}\` writes the decoded \`${variable}\`, so an encoded line break can split the message`,
          location: directive.argLocations[index] ?? directive.location,
          key: directiveKey(directive),
        });
      }
    }
  },
});
