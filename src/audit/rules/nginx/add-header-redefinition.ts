import type { NginxDirective } from '../../model/types.js';
import { defineRule } from '../rule.js';
import {
  analyzeNginx,
  describeContext,
  directiveKey,
  effectiveDirective,
  effectiveDirectives,
  effectiveHeaders,
  headerNames,
  headersOf,
  type NginxContext,
  SECURITY_HEADERS,
  spellHeader,
} from './helpers.js';

/** Returns the directive that stops inheritance at a level: its first `add_header`, or `add_header_inherit off`. */
function redefinitionAt(context: NginxContext): NginxDirective | undefined {
  const own = context.own.get('add_header')?.[0];
  if (own) return own;
  const control = context.own.get('add_header_inherit')?.at(-1);
  return control?.args[0] === 'off' ? control : undefined;
}

/** Names the level that wrote an inherited header, such as `server-level`. */
function levelName(directive: NginxDirective | undefined): string {
  const name = directive?.parent?.name;
  return name === 'http' || name === 'server' || name === 'location'
    ? `${name}-level`
    : 'inherited';
}

/** Names what a level serves for messages: a location's path such as `/api/`, or the server. */
function scopeOf(context: NginxContext): string {
  const args = context.directive?.args ?? [];
  return context.kind === 'location' ? `\`${args[args.length - 1] ?? ''}\`` : 'this server';
}

export const addHeaderRedefinitionRule = defineRule({
  id: 'NG003',
  name: 'add-header-redefinition',
  title: 'Nested add_header drops inherited security headers',
  severity: 'medium',
  layer: 'application',
  target: 'nginx',
  control: 'application.security-headers',
  status: 'stable',
  rationale:
    'nginx inherits `add_header` from the enclosing level only when the current level has no `add_header` of its own. ' +
    'A single cache or CORS header added in a location therefore silently removes every security header set at the server or http level for that location, ' +
    'and nothing in the configuration shows it.',
  fix: 'Repeat the security headers in the nested level, or keep them in a snippet that every level with its own `add_header` includes; nginx 1.29.3 and later can also use `add_header_inherit merge;`.',
  limitations: ['Levels inside `if` blocks are not checked.'],
  references: [
    'https://nginx.org/en/docs/http/ngx_http_headers_module.html#add_header',
    'https://nginx.org/en/docs/http/ngx_http_headers_module.html#add_header_inherit',
    'https://github.com/yandex/gixy/blob/master/docs/en/plugins/addheaderredefinition.md',
  ],
  check(model, report) {
    for (const { effective } of analyzeNginx(model)) {
      for (const context of [...effective.servers, ...effective.locations]) {
        const parent = context.parent;
        const trigger = redefinitionAt(context);
        if (!parent || !trigger) continue;
        if (effectiveDirective(context, 'add_header_inherit')?.args[0] === 'merge') continue;

        const inherited = effectiveDirectives(parent, 'add_header').flatMap(headersOf);
        const kept = headerNames(effectiveHeaders(context));
        const dropped = [...headerNames(inherited)].filter(
          (name) => SECURITY_HEADERS.has(name) && !kept.has(name),
        );
        if (dropped.length === 0) continue;
        const writer = inherited.find((header) => header.name === dropped[0])?.directive;

        const names = dropped.map(spellHeader).join(', ');
        report({
          message:
            `${describeContext(context)} redefines \`add_header\`, so the ${levelName(writer)} security headers ` +
            `${names} are not sent for ${scopeOf(context)}`,
          location: trigger.location,
          key: directiveKey(trigger),
          evidence: names,
        });
      }
    }
  },
});
