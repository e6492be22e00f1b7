import type { Location } from '../../../finding/finding.js';
import type { ParseIssue, YamlFile } from '../../model/types.js';
import { interpolate, type VariableLookup } from '../interpolate.js';
import { customTagsOf } from '../yaml.js';

/** Where a value of the merged model was written: a value path in one YAML document. */
export interface Origin {
  yaml: YamlFile;
  doc: number;
  path: Array<string | number>;
  /** For strings: whether `${VAR}` interpolation produced any part of the value. */
  interpolated?: boolean;
  /** For strings: variables that were unset and had no default. */
  missing?: string[];
}

export type Container = Record<string, unknown> | unknown[];

/** Compose's `!reset` tag: the key is removed from the merged model. */
export const RESET: unique symbol = Symbol('compose !reset');

const origins = new WeakMap<object, Map<string | number, Origin>>();
const overrides = new WeakSet<object>();

export function originOf(container: object, key: string | number): Origin | undefined {
  return origins.get(container)?.get(key);
}

export function setOrigin(
  container: object,
  key: string | number,
  origin: Origin | undefined,
): void {
  let map = origins.get(container);
  if (!map) {
    map = new Map();
    origins.set(container, map);
  }
  if (origin) map.set(key, origin);
  else map.delete(key);
}

/** True for a collection written with `!override`, which replaces instead of merging. */
export function isOverride(value: unknown): boolean {
  return typeof value === 'object' && value !== null && overrides.has(value);
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function locationOf(
  origin: Origin | undefined,
  part: 'key' | 'value' = 'key',
): Location | undefined {
  return origin?.yaml.locate(origin.path, part, origin.doc);
}

/** Locates an origin, falling back to the first line of its file. */
export function locationAt(origin: Origin, part: 'key' | 'value' = 'key'): Location {
  return origin.yaml.locate(origin.path, part, origin.doc) ?? origin.yaml.file.fileStart();
}

/** Sets an own property, so that keys such as `__proto__` stay data. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

/** Deep-copies a tracked value together with the origins of its entries. */
export function cloneTracked<T>(value: T): T {
  if (Array.isArray(value)) {
    const copy = value.map((item) => cloneTracked(item));
    for (let index = 0; index < value.length; index++) {
      setOrigin(copy, index, originOf(value, index));
    }
    if (overrides.has(value)) overrides.add(copy);
    return copy as T;
  }
  if (isMapping(value)) {
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      setOwn(copy, key, cloneTracked(value[key]));
      setOrigin(copy, key, originOf(value, key));
    }
    if (overrides.has(value)) overrides.add(copy);
    return copy as T;
  }
  return value;
}

/** Replaces `!reset` markers left in a tree (such as in the first file) by removing their keys. */
export function dropResets(value: unknown): void {
  if (Array.isArray(value)) {
    for (let i = value.length - 1; i >= 0; i--) {
      if (value[i] === RESET) value.splice(i, 1);
      else dropResets(value[i]);
    }
  } else if (isMapping(value)) {
    for (const key of Object.keys(value)) {
      if (value[key] === RESET) delete value[key];
      else dropResets(value[key]);
    }
  }
}

/**
 * Copies document `doc` of a compose file into a tracked tree: strings interpolated, each entry
 * recording where it was written, `!reset` values replaced by {@link RESET}, and collections
 * tagged `!override` marked. Interpolation errors become issues.
 */
export function trackDocument(
  yaml: YamlFile,
  doc: number,
  lookup: VariableLookup,
  issues: ParseIssue[],
): unknown {
  const tags = new Map<string, string>();
  for (const { path, tag } of customTagsOf(yaml, doc)) tags.set(JSON.stringify(path), tag);
  const visit = (value: unknown, path: Array<string | number>, origin: Origin): unknown => {
    const tag = tags.size > 0 ? tags.get(JSON.stringify(path)) : undefined;
    if (tag === '!reset') return RESET;
    if (typeof value === 'string') {
      if (!value.includes('$')) return value;
      const result = interpolate(value, lookup);
      origin.interpolated = result.interpolated;
      if (result.missing.length > 0) origin.missing = result.missing;
      for (const error of result.errors) {
        if (error.kind === 'required') continue;
        issues.push({
          message: `${error.message} in '${yaml.file.path}'`,
          location: locationOf(origin, 'value') ?? yaml.file.fileStart(),
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the help shows Compose syntax.
          help: 'write a literal `$` as `$$`, and variables as `${NAME}` or `${NAME:-default}`',
        });
      }
      return result.value;
    }
    if (Array.isArray(value)) {
      const copy: unknown[] = [];
      value.forEach((item, index) => {
        const childPath = [...path, index];
        const childOrigin: Origin = { yaml, doc, path: childPath };
        copy.push(visit(item, childPath, childOrigin));
        setOrigin(copy, index, childOrigin);
      });
      if (tag === '!override') overrides.add(copy);
      return copy;
    }
    if (isMapping(value)) {
      const copy: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        const childPath = [...path, key];
        const childOrigin: Origin = { yaml, doc, path: childPath };
        setOwn(copy, key, visit(value[key], childPath, childOrigin));
        setOrigin(copy, key, childOrigin);
      }
      if (tag === '!override') overrides.add(copy);
      return copy;
    }
    return value;
  };
  return visit(yaml.documents[doc], [], { yaml, doc, path: [] });
}
