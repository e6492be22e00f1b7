import { defineRule } from '../rule.js';
import {
  analyzeNginx,
  describeContext,
  directiveKey,
  effectiveDirectives,
  proxyHandlerOf,
} from './helpers.js';

export const proxyWithoutRateLimitRule = defineRule({
  id: 'NG008',
  name: 'proxy-without-rate-limit',
  title: 'Proxied location has no request rate limit',
  severity: 'medium',
  layer: 'proxy',
  target: 'nginx',
  control: 'proxy.rate-limiting',
  status: 'stable',
  rationale:
    'Requests that nginx forwards reach the application, its database and its login checks. ' +
    'Without `limit_req`, a single client can brute-force credentials or exhaust the backend, while nginx could have rejected the excess cheaply at the edge.',
  fix: 'Define a zone in `http`, such as `limit_req_zone $binary_remote_addr zone=api:10m rate=10r/s;`, and add `limit_req zone=api burst=20 nodelay;` to the location or its server.',
  limitations: [
    'Rate limits enforced by the application or by a service in front of nginx are not visible to this check.',
  ],
  references: [
    'https://nginx.org/en/docs/http/ngx_http_limit_req_module.html',
    'https://blog.nginx.org/blog/rate-limiting-nginx',
  ],
  check(model, report) {
    for (const { effective } of analyzeNginx(model)) {
      for (const location of effective.locations) {
        const handler = proxyHandlerOf(location);
        if (!handler || effectiveDirectives(location, 'limit_req').length > 0) continue;
        report({
          message: `${describeContext(location)} forwards to \`${handler.args[0] ?? ''}\` without \`limit_req\``,
          location: handler.location,
          key: directiveKey(handler),
        });
      }
    }
  },
});
