import type { NginxConfig, NginxDirective } from '../model/types.js';

export type NginxContextKind = 'main' | 'http' | 'server' | 'location';

/** One configuration level of nginx's `http` module with its directives after inheritance. */
export interface NginxContext {
  kind: NginxContextKind;
  /** The `http`, `server` or `location` block directive; undefined for the main level. */
  directive?: NginxDirective;
  parent?: NginxContext;
  /** The enclosing `server` context, the context itself for a server. */
  server?: NginxContext;
  /** Directives written directly in this block (not inside nested blocks), by name. */
  own: ReadonlyMap<string, readonly NginxDirective[]>;
  /** Directives in effect at this level: its own, or those inherited from enclosing levels. */
  effective: ReadonlyMap<string, readonly NginxDirective[]>;
  children: NginxContext[];
}

export interface EffectiveConfig {
  main: NginxContext;
  http?: NginxContext;
  /** Every HTTP `server` block, in document order. */
  servers: NginxContext[];
  /** Every `location` block, nested ones included, outer locations before inner ones. */
  locations: NginxContext[];
}

/**
 * Directives that nginx does not inherit into nested levels: request handlers, rewrite-module
 * statements that run only where they are written, and block directives.
 */
const NOT_INHERITED = new Set([
  'alias',
  'break',
  'events',
  'fastcgi_pass',
  'geo',
  'grpc_pass',
  'http',
  'if',
  'internal',
  'limit_except',
  'listen',
  'location',
  'map',
  'memcached_pass',
  'proxy_pass',
  'return',
  'rewrite',
  'scgi_pass',
  'server',
  'server_name',
  'set',
  'split_clients',
  'try_files',
  'upstream',
  'uwsgi_pass',
]);

/** Array directives whose inheritance an `*_inherit` directive can change (nginx 1.29.3+). */
const INHERIT_CONTROL: Record<string, string> = {
  add_header: 'add_header_inherit',
  add_trailer: 'add_trailer_inherit',
};

const cache = new WeakMap<NginxConfig, EffectiveConfig>();

/**
 * Computes the effective directives of every `http`, `server` and `location` level. A level
 * that writes a directive uses only its own occurrences of it, and otherwise inherits the
 * enclosing level's, which is how nginx merges both array directives such as `add_header` and
 * scalar ones such as `server_tokens`. `add_header_inherit merge` appends instead, and
 * `add_header_inherit off` stops inheritance. The result is cached per configuration.
 */
export function effectiveConfig(config: NginxConfig): EffectiveConfig {
  const cached = cache.get(config);
  if (cached) return cached;

  const main = createContext('main', undefined, undefined, config.directives);
  const result: EffectiveConfig = { main, servers: [], locations: [] };
  const queue: NginxContext[] = [main];
  // A queue instead of recursion, because nesting depth is unbounded in hostile input.
  for (let head = 0; head < queue.length; head++) {
    const context = queue[head]!;
    for (const directive of context.directive?.block ??
      (context.kind === 'main' ? config.directives : [])) {
      const kind = childKind(context.kind, directive);
      if (!kind) continue;
      const child = createContext(kind, directive, context, directive.block ?? []);
      context.children.push(child);
      queue.push(child);
      if (kind === 'http') result.http ??= child;
      if (kind === 'server') result.servers.push(child);
      if (kind === 'location') result.locations.push(child);
    }
  }
  cache.set(config, result);
  return result;
}

function childKind(
  parent: NginxContextKind,
  directive: NginxDirective,
): NginxContextKind | undefined {
  if (!directive.block) return undefined;
  if (directive.name === 'http' && parent === 'main') return 'http';
  // A `server` at the main level comes from a conf.d file audited on its own.
  if (directive.name === 'server' && (parent === 'http' || parent === 'main')) return 'server';
  if (directive.name === 'location' && (parent === 'server' || parent === 'location'))
    return 'location';
  return undefined;
}

function createContext(
  kind: NginxContextKind,
  directive: NginxDirective | undefined,
  parent: NginxContext | undefined,
  body: readonly NginxDirective[],
): NginxContext {
  const own = new Map<string, NginxDirective[]>();
  for (const child of body) {
    const list = own.get(child.name);
    if (list) list.push(child);
    else own.set(child.name, [child]);
  }

  const effective = new Map<string, readonly NginxDirective[]>();
  for (const [name, list] of parent?.effective ?? []) {
    if (!NOT_INHERITED.has(name)) effective.set(name, list);
  }
  for (const [name, list] of own) effective.set(name, list);
  applyInheritControl(effective, own, parent);

  const context: NginxContext = { kind, directive, parent, own, effective, children: [] };
  context.server = kind === 'server' ? context : parent?.server;
  return context;
}

function applyInheritControl(
  effective: Map<string, readonly NginxDirective[]>,
  own: ReadonlyMap<string, readonly NginxDirective[]>,
  parent: NginxContext | undefined,
): void {
  for (const [name, control] of Object.entries(INHERIT_CONTROL)) {
    const mode = effective.get(control)?.at(-1)?.args[0];
    const inherited = parent?.effective.get(name) ?? [];
    const mine = own.get(name) ?? [];
    if (mode === 'merge' && mine.length > 0) effective.set(name, [...inherited, ...mine]);
    if (mode === 'off' && mine.length === 0) effective.delete(name);
  }
}

/** Returns the directives named `name` in effect at `context`, or an empty list. */
export function effectiveDirectives(
  context: NginxContext,
  name: string,
): readonly NginxDirective[] {
  return context.effective.get(name) ?? [];
}

/** Returns the last directive named `name` in effect at `context`, the one nginx uses for scalars. */
export function effectiveDirective(
  context: NginxContext,
  name: string,
): NginxDirective | undefined {
  return context.effective.get(name)?.at(-1);
}

/** Returns true when `context` writes `name` itself rather than inheriting it. */
export function definesOwn(context: NginxContext, name: string): boolean {
  return (context.own.get(name)?.length ?? 0) > 0;
}
