import type { ParseIssue } from '../../model/types.js';
import { isMapping, locationAt, originOf, RESET, setOrigin, setOwn } from './tracked.js';

/** Keys whose list form `KEY=value` Compose treats as a mapping. */
const KEY_VALUE_LISTS: ReadonlyArray<ReadonlyArray<string>> = [
  ['environment'],
  ['labels'],
  ['annotations'],
  ['sysctls'],
  ['deploy', 'labels'],
  ['build', 'args'],
  ['build', 'labels'],
];

/** Keys that take a single string or a list, stored as a list. */
const STRING_OR_LIST = ['env_file', 'dns', 'dns_search', 'dns_opt', 'tmpfs'];

/**
 * Brings one file's service into the shapes the merge rules work on: `KEY=value` lists become
 * mappings, a `build` string becomes `{ context }`, network and `depends_on` lists become
 * mappings, and single strings become lists. Every converted entry keeps the origin of the
 * entry it came from.
 */
export function normalizeService(
  name: string,
  service: Record<string, unknown>,
  issues: ParseIssue[],
): void {
  if (typeof service.build === 'string') {
    const build: Record<string, unknown> = { context: service.build };
    setOrigin(build, 'context', originOf(service, 'build'));
    service.build = build;
  }
  for (const path of KEY_VALUE_LISTS) normalizeKeyValueList(name, service, path, issues);
  for (const key of ['networks', 'depends_on']) {
    const value = service[key];
    if (!Array.isArray(value)) continue;
    const mapping: Record<string, unknown> = {};
    value.forEach((item, index) => {
      if (typeof item !== 'string' && typeof item !== 'number') return;
      setOwn(mapping, String(item), key === 'depends_on' ? { condition: 'service_started' } : null);
      setOrigin(mapping, String(item), originOf(value, index));
    });
    service[key] = mapping;
  }
  for (const key of STRING_OR_LIST) {
    const value = service[key];
    if (typeof value !== 'string' && !isMapping(value)) continue;
    const list = [value];
    setOrigin(list, 0, originOf(service, key));
    service[key] = list;
  }
}

function normalizeKeyValueList(
  name: string,
  service: Record<string, unknown>,
  path: ReadonlyArray<string>,
  issues: ParseIssue[],
): void {
  let parent: Record<string, unknown> = service;
  for (const segment of path.slice(0, -1)) {
    const next = parent[segment];
    if (!isMapping(next)) return;
    parent = next;
  }
  const key = path[path.length - 1]!;
  const value = parent[key];
  if (value === undefined || value === null || value === RESET || isMapping(value)) return;
  if (!Array.isArray(value)) {
    issues.push({
      message: `'${path.join('.')}' of service '${name}' must be a mapping or a list of KEY=value strings`,
      location: locationAt(originOf(parent, key)!, 'value'),
      help: `write it as \`${key}: { KEY: value }\` or as a list of \`- KEY=value\``,
    });
    delete parent[key];
    return;
  }
  const mapping: Record<string, unknown> = {};
  value.forEach((item, index) => {
    if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') {
      issues.push({
        message: `entry ${index + 1} of '${path.join('.')}' in service '${name}' must be a KEY=value string`,
        location: locationAt(originOf(value, index)!),
        help: 'quote the entry as `- "KEY=value"`',
      });
      return;
    }
    const text = String(item);
    const equals = text.indexOf('=');
    const entryKey = equals === -1 ? text : text.slice(0, equals);
    setOwn(mapping, entryKey, equals === -1 ? null : text.slice(equals + 1));
    setOrigin(mapping, entryKey, originOf(value, index));
  });
  parent[key] = mapping;
}
