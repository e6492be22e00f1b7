import { defineRule } from '../rule.js';
import { allDirectives, analyzeNginx, directiveKey } from './helpers.js';

export const autoindexOnRule = defineRule({
  id: 'NG016',
  name: 'autoindex-on',
  title: 'Directory listing is enabled',
  severity: 'medium',
  layer: 'proxy',
  target: 'nginx',
  control: 'proxy.hardening',
  status: 'stable',
  rationale:
    '`autoindex on` makes nginx list every file of a folder that has no index file. ' +
    'Backups, source maps, uploads and forgotten files become easy to find, though nobody linked to them.',
  fix: 'Remove `autoindex on;` or set `autoindex off;`, and publish an explicit index instead.',
  references: ['https://nginx.org/en/docs/http/ngx_http_autoindex_module.html'],
  check(model, report) {
    for (const { config } of analyzeNginx(model)) {
      for (const directive of allDirectives(config)) {
        if (directive.name !== 'autoindex' || directive.args[0] !== 'on') continue;
        report({
          message: '`autoindex on` lists the contents of folders without an index file',
          location: directive.location,
          key: directiveKey(directive),
        });
      }
    }
  },
});
