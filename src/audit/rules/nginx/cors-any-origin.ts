import type { NginxConfig, NginxDirective } from '../../model/types.js';
import { defineRule } from '../rule.js';
import {
  allDirectives,
  analyzeNginx,
  directiveKey,
  headersOf,
  type ResponseHeader,
} from './helpers.js';

/** Returns the variables that a `map $http_origin $name` block sets from a fixed allowlist. */
function allowlistVariables(config: NginxConfig): Set<string> {
  const safe = new Set<string>();
  for (const directive of allDirectives(config)) {
    if (directive.name !== 'map' || directive.args[0] !== '$http_origin' || !directive.args[1])
      continue;
    // A map is an allowlist unless its default, or a catch-all regex, passes any origin through.
    const passesAny = (directive.block ?? []).some(
      (entry) =>
        entry.args[0]?.includes('$http_origin') &&
        (entry.name === 'default' || /^~\*?(\^?\.\*|\.\+|\^)$/.test(entry.name)),
    );
    if (!passesAny) safe.add(directive.args[1]);
  }
  return safe;
}

/** True when an enclosing `if` tests `$http_origin`, which acts as an allowlist. */
function insideOriginCheck(directive: NginxDirective): boolean {
  for (let level = directive.parent; level; level = level.parent) {
    if (level.name === 'if' && level.args.join(' ').includes('$http_origin')) return true;
  }
  return false;
}

/** True when the same block also sends `Access-Control-Allow-Credentials: true`. */
function credentialsBeside(header: ResponseHeader): boolean {
  const siblings = header.directive.parent?.block ?? [];
  return siblings
    .flatMap(headersOf)
    .some(
      (other) =>
        other.name === 'access-control-allow-credentials' && other.value.toLowerCase() === 'true',
    );
}

export const corsAnyOriginRule = defineRule({
  id: 'NG011',
  name: 'cors-any-origin',
  title: 'CORS allows any origin',
  severity: 'medium',
  layer: 'application',
  target: 'nginx',
  control: 'application.cors',
  status: 'stable',
  rationale:
    '`Access-Control-Allow-Origin: *` lets scripts on every website read the responses, which exposes anything the API returns without a cookie, such as data on an intranet. ' +
    'Reflecting `$http_origin` unchecked is worse: together with `Access-Control-Allow-Credentials: true` it lets any site act as the logged-in user and read the results.',
  fix: 'Allow named origins only: a `map $http_origin $cors_origin { default ""; "https://app.example.com" $http_origin; }` and `add_header Access-Control-Allow-Origin $cors_origin always;`.',
  limitations: [
    'The regular expressions of a `map` or `if` allowlist are trusted without checking that they are anchored.',
  ],
  references: [
    'https://developer.mozilla.org/en-US/docs/Web/HTTP/CORS',
    'https://portswigger.net/web-security/cors',
    'https://github.com/yandex/gixy/blob/master/docs/en/plugins/origins.md',
  ],
  check(model, report) {
    for (const { config } of analyzeNginx(model)) {
      const allowlisted = allowlistVariables(config);
      for (const directive of allDirectives(config)) {
        for (const header of headersOf(directive)) {
          if (header.name !== 'access-control-allow-origin') continue;
          const credentials = credentialsBeside(header);
          if (header.value === '*') {
            report({
              message: `\`Access-Control-Allow-Origin: *\` lets every website read these responses${credentials ? ', and credentials are allowed as well' : ''}`,
              location: directive.location,
              key: directiveKey(directive),
              severity: credentials ? 'high' : 'medium',
            });
            continue;
          }
          const reflects = header.value.includes('$http_origin') && !insideOriginCheck(directive);
          const variable = /^\$\w+$/.test(header.value) ? header.value : undefined;
          if (
            !reflects &&
            !(variable && isOriginMap(config, variable) && !allowlisted.has(variable))
          )
            continue;
          report({
            message: `\`Access-Control-Allow-Origin ${header.value}\` reflects any request origin without an allowlist`,
            location: directive.location,
            key: directiveKey(directive),
            severity: 'high',
          });
        }
      }
    }
  },
});

/** True when `variable` is the result of a `map $http_origin` block. */
function isOriginMap(config: NginxConfig, variable: string): boolean {
  return allDirectives(config).some(
    (directive) =>
      directive.name === 'map' &&
      directive.args[0] === '$http_origin' &&
      directive.args[1] === variable,
  );
}
