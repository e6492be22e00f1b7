import { defineRule } from '../rule.js';
import { analyzeNginx, describeLocation, directiveKey } from './helpers.js';

export const aliasTraversalRule = defineRule({
  id: 'NG013',
  name: 'alias-traversal',
  title: 'alias allows path traversal out of its folder',
  severity: 'high',
  layer: 'proxy',
  target: 'nginx',
  control: 'proxy.hardening',
  status: 'stable',
  rationale:
    'When a prefix location such as `location /static` has no trailing slash but its `alias` ends in one, nginx maps `/static../secret` to the parent of the alias folder. ' +
    'An attacker can then read files next to the published folder, such as source code or configuration with credentials.',
  fix: 'End the location and the alias alike, as in `location /static/ { alias /srv/static/; }`.',
  references: [
    'https://nginx.org/en/docs/http/ngx_http_core_module.html#alias',
    'https://github.com/yandex/gixy/blob/master/docs/en/plugins/aliastraversal.md',
  ],
  check(model, report) {
    for (const { effective } of analyzeNginx(model)) {
      for (const location of effective.locations) {
        const args = location.directive?.args ?? [];
        // Regex (`~`, `~*`), exact (`=`) and named (`@`) locations do not map prefixes.
        const path = args.length === 1 ? args[0] : args[0] === '^~' ? args[1] : undefined;
        const alias = location.own.get('alias')?.[0];
        if (!path || !alias || path.endsWith('/') || path.startsWith('@')) continue;
        if (!(alias.args[0] ?? '').endsWith('/')) continue;
        report({
          message: `${describeLocation(location)} has no trailing slash but \`alias ${alias.args[0]}\` has one, so \`${path}../\` reaches the folder above`,
          location: alias.location,
          key: directiveKey(alias),
        });
      }
    }
  },
});
