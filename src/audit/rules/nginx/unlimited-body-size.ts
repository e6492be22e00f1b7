import { defineRule } from '../rule.js';
import { allDirectives, analyzeNginx, directiveKey } from './helpers.js';

export const unlimitedBodySizeRule = defineRule({
  id: 'NG017',
  name: 'unlimited-body-size',
  title: 'Request body size is unlimited',
  severity: 'medium',
  layer: 'proxy',
  target: 'nginx',
  control: 'proxy.rate-limiting',
  status: 'stable',
  rationale:
    "`client_max_body_size 0` turns off nginx's check of the request body size, so any client can stream gigabytes into the proxy's buffers and the application. " +
    'The default of 1 MB, or a larger explicit limit where uploads need it, stops that at the edge.',
  fix: 'Set a limit that fits the largest legitimate request, such as `client_max_body_size 10m;`, at the server or upload location.',
  limitations: [
    'A missing `client_max_body_size` is not reported, because nginx then applies its 1 MB default.',
  ],
  references: ['https://nginx.org/en/docs/http/ngx_http_core_module.html#client_max_body_size'],
  check(model, report) {
    for (const { config } of analyzeNginx(model)) {
      for (const directive of allDirectives(config)) {
        if (
          directive.name !== 'client_max_body_size' ||
          !/^0+[kKmMgG]?$/.test(directive.args[0] ?? '')
        )
          continue;
        report({
          message: '`client_max_body_size 0` disables the request body size limit',
          location: directive.location,
          key: directiveKey(directive),
        });
      }
    }
  },
});
