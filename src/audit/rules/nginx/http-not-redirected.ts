import type { NginxDirective } from '../../model/types.js';
import { defineRule } from '../rule.js';
import {
  analyzeNginx,
  contextKey,
  contextLocation,
  describeServer,
  type NginxContext,
  plainListens,
  serverRedirect,
  servesContent,
} from './helpers.js';

/** True when a listen address is loopback or a Unix socket, which no other host reaches. */
function isLocalListen(listen: NginxDirective): boolean {
  const address = listen.args[0] ?? '';
  return /^(unix:|127\.|localhost[:]|\[::1\])/.test(address);
}

/** True when the server sends plain-HTTP requests to HTTPS with an `if ($scheme = http)` block. */
function redirectsByScheme(server: NginxContext): boolean {
  return (server.own.get('if') ?? []).some(
    (block) =>
      block.args.join(' ').includes('$scheme') &&
      (block.block ?? []).some(
        (directive) => directive.name === 'return' && isHttpsTarget(directive.args.join(' ')),
      ),
  );
}

function isHttpsTarget(text: string): boolean {
  return /https:\/\//.test(text);
}

export const httpNotRedirectedRule = defineRule({
  id: 'NG007',
  name: 'http-not-redirected',
  title: 'Plain-HTTP server serves content instead of redirecting to HTTPS',
  severity: 'medium',
  layer: 'proxy',
  target: 'nginx',
  control: 'proxy.https-redirect',
  status: 'stable',
  rationale:
    'A server that answers plain HTTP with real content lets cookies, tokens and pages travel unencrypted and lets an attacker on the path change them. ' +
    'Redirecting every plain request to HTTPS, together with HSTS, makes the encrypted site the only one browsers use.',
  fix: 'Make the port-80 server only redirect: `return 301 https://$host$request_uri;`, keeping at most an ACME challenge location.',
  limitations: [
    'A deployment that terminates TLS in a load balancer in front of nginx is reported too; suppress the finding with that reason.',
    'Servers listening only on loopback or a Unix socket are not reported.',
  ],
  references: [
    'https://nginx.org/en/docs/http/ngx_http_rewrite_module.html#return',
    'https://cheatsheetseries.owasp.org/cheatsheets/Transport_Layer_Security_Cheat_Sheet.html',
  ],
  check(model, report) {
    for (const { config, effective } of analyzeNginx(model)) {
      for (const server of effective.servers) {
        const hasListen = (server.own.get('listen') ?? []).length > 0;
        const plain = plainListens(server).filter((listen) => !isLocalListen(listen));
        // A server without `listen` accepts plain HTTP on port 80 (8000 when not started as root).
        if (hasListen && plain.length === 0) continue;
        if (!servesContent(server) || redirectsByScheme(server)) continue;
        const redirect = serverRedirect(server);
        if (redirect && isHttpsTarget(redirect.args.join(' '))) continue;

        const port = plain[0]?.args[0] ?? '80';
        report({
          message: `${describeServer(server)} serves content over plain HTTP on \`${port}\` instead of redirecting to HTTPS`,
          location: plain[0]?.location ?? contextLocation(server, config),
          key: contextKey(server),
        });
      }
    }
  },
});
