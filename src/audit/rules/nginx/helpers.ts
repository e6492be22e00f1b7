import type {
  ComposeService,
  DeploymentModel,
  NginxConfig,
  NginxDirective,
} from '../../model/types.js';
import { TABLE_BLOCKS } from '../../parsers/nginx.js';
import {
  type EffectiveConfig,
  effectiveConfig,
  effectiveDirective,
  effectiveDirectives,
  type NginxContext,
} from '../../parsers/nginx-effective.js';

export type { NginxContext } from '../../parsers/nginx-effective.js';
export { effectiveDirective, effectiveDirectives } from '../../parsers/nginx-effective.js';

/** A response header set by `add_header` or by headers-more's `more_set_headers`. */
export interface ResponseHeader {
  /** Lower-case header name. */
  name: string;
  value: string;
  /** True when the header is sent on every status, as `add_header ... always` is. */
  always: boolean;
  directive: NginxDirective;
}

/** Security headers the baseline requires, by lower-case name. */
export const FRAME_OPTIONS = 'x-frame-options';
export const CONTENT_TYPE_OPTIONS = 'x-content-type-options';
export const REFERRER_POLICY = 'referrer-policy';
export const CONTENT_SECURITY_POLICY = 'content-security-policy';
export const HSTS = 'strict-transport-security';
export const XSS_PROTECTION = 'x-xss-protection';

export const SECURITY_HEADERS: ReadonlySet<string> = new Set([
  FRAME_OPTIONS,
  CONTENT_TYPE_OPTIONS,
  REFERRER_POLICY,
  CONTENT_SECURITY_POLICY,
  HSTS,
  XSS_PROTECTION,
  'permissions-policy',
  'cross-origin-opener-policy',
  'cross-origin-embedder-policy',
  'cross-origin-resource-policy',
]);

/** Spelling of each security header as written in messages. */
export const HEADER_SPELLING: Record<string, string> = {
  [FRAME_OPTIONS]: 'X-Frame-Options',
  [CONTENT_TYPE_OPTIONS]: 'X-Content-Type-Options',
  [REFERRER_POLICY]: 'Referrer-Policy',
  [CONTENT_SECURITY_POLICY]: 'Content-Security-Policy',
  [HSTS]: 'Strict-Transport-Security',
  [XSS_PROTECTION]: 'X-XSS-Protection',
};

export function spellHeader(name: string): string {
  return HEADER_SPELLING[name] ?? name;
}

/** Request handlers whose location forwards to an upstream. */
export const PROXY_HANDLERS = [
  'proxy_pass',
  'fastcgi_pass',
  'uwsgi_pass',
  'scgi_pass',
  'grpc_pass',
];

export interface AnalyzedConfig {
  config: NginxConfig;
  effective: EffectiveConfig;
  /** The compose service that loads this configuration, when one does. */
  service?: ComposeService;
}

/** Lists each nginx configuration of the model with its effective levels and its proxy service. */
export function analyzeNginx(model: DeploymentModel): AnalyzedConfig[] {
  const owners = new Map<NginxConfig, ComposeService>();
  for (const project of model.compose) {
    for (const service of project.services) {
      if (service.nginx && !owners.has(service.nginx)) owners.set(service.nginx, service);
    }
  }
  return model.nginx.map((config) => ({
    config,
    effective: effectiveConfig(config),
    service: owners.get(config),
  }));
}

/** Parses `add_header` and `more_set_headers` directives into headers; others return none. */
export function headersOf(directive: NginxDirective): ResponseHeader[] {
  if (directive.name === 'add_header') {
    const [name, value = '', flag] = directive.args;
    if (name === undefined) return [];
    return [{ name: name.toLowerCase(), value, always: flag === 'always', directive }];
  }
  if (directive.name !== 'more_set_headers') return [];

  // headers-more sends on every status unless `-s` limits the codes.
  const limited = directive.args.includes('-s');
  const headers: ResponseHeader[] = [];
  for (let index = 0; index < directive.args.length; index++) {
    const arg = directive.args[index]!;
    if (arg === '-s' || arg === '-t') {
      index++;
      continue;
    }
    const colon = arg.indexOf(':');
    const name = (colon === -1 ? arg : arg.slice(0, colon)).trim().toLowerCase();
    const value = colon === -1 ? '' : arg.slice(colon + 1).trim();
    if (name) headers.push({ name, value, always: !limited, directive });
  }
  return headers;
}

/** Returns the response headers in effect at a level after inheritance. */
export function effectiveHeaders(context: NginxContext): ResponseHeader[] {
  return [
    ...effectiveDirectives(context, 'add_header'),
    ...effectiveDirectives(context, 'more_set_headers'),
  ].flatMap(headersOf);
}

/** Returns the headers written directly at a level, without inheritance. */
export function ownHeaders(context: NginxContext): ResponseHeader[] {
  return [
    ...(context.own.get('add_header') ?? []),
    ...(context.own.get('more_set_headers') ?? []),
  ].flatMap(headersOf);
}

/** Returns the lower-case names of headers in effect that are sent with a non-empty value. */
export function headerNames(headers: ResponseHeader[]): Set<string> {
  return new Set(headers.filter((header) => header.value !== '').map((header) => header.name));
}

/** True when a `listen` directive accepts TLS, through its `ssl` or `quic` parameter. */
export function isTlsListen(listen: NginxDirective): boolean {
  return listen.args.slice(1).some((arg) => arg === 'ssl' || arg === 'quic');
}

/** True when a server terminates TLS on at least one of its `listen` sockets. */
export function isTlsServer(server: NginxContext): boolean {
  const listens = server.own.get('listen') ?? [];
  if (listens.some(isTlsListen)) return true;
  // `ssl on;` was removed in nginx 1.25.1 but still turns older servers into TLS servers.
  return effectiveDirective(server, 'ssl')?.args[0] === 'on';
}

/** Returns the `listen` directives of a server that accept plain HTTP. */
export function plainListens(server: NginxContext): NginxDirective[] {
  if (effectiveDirective(server, 'ssl')?.args[0] === 'on') return [];
  return (server.own.get('listen') ?? []).filter((listen) => !isTlsListen(listen));
}

/** Returns the `return` or `rewrite ... permanent|redirect` that redirects every request, if any. */
export function serverRedirect(server: NginxContext): NginxDirective | undefined {
  for (const directive of server.directive?.block ?? []) {
    if (directive.name === 'return' && isRedirectReturn(directive)) return directive;
    if (directive.name === 'rewrite' && /^(permanent|redirect)$/.test(directive.args[2] ?? '')) {
      return directive;
    }
  }
  const root = catchAllLocation(server);
  const redirect = root?.own.get('return')?.[0];
  return redirect && isRedirectReturn(redirect) ? redirect : undefined;
}

function isRedirectReturn(directive: NginxDirective): boolean {
  const [code, target] = directive.args;
  if (code !== undefined && /^https?:\/\//.test(code) && target === undefined) return true;
  return /^30[1278]$/.test(code ?? '') && target !== undefined;
}

/** Returns the `location /` of a server, which serves every request no other location matches. */
export function catchAllLocation(server: NginxContext): NginxContext | undefined {
  return server.children.find((child) => {
    const args = child.directive?.args ?? [];
    return (args.length === 1 && args[0] === '/') || (args[0] === '^~' && args[1] === '/');
  });
}

/**
 * True when a server answers requests with content. A `return` at the server level ends every
 * request before any location runs, so only a 2xx status there counts as content; a redirect of
 * every request also counts as none.
 */
export function servesContent(server: NginxContext): boolean {
  const early = server.own.get('return')?.[0];
  if (early) return /^2\d\d$/.test(early.args[0] ?? '');
  return serverRedirect(server) === undefined;
}

/** True when a location forwards requests to an upstream. */
export function proxyHandlerOf(context: NginxContext): NginxDirective | undefined {
  for (const name of PROXY_HANDLERS) {
    const directive = context.own.get(name)?.[0];
    if (directive) return directive;
  }
  return undefined;
}

/** Names a server for messages: its first `server_name`, else its first `listen`. */
export function describeServer(server: NginxContext): string {
  const name = server.own.get('server_name')?.[0]?.args.find((arg) => arg !== '' && arg !== '_');
  if (name) return `server \`${name}\``;
  const listen = server.own.get('listen')?.[0]?.args[0];
  return listen ? `server on \`${listen}\`` : 'server';
}

/** Names a location for messages, such as `location /api/`. */
export function describeLocation(location: NginxContext): string {
  return `\`location ${(location.directive?.args ?? []).join(' ')}\``;
}

/** Names a level for messages, with its server for locations. */
export function describeContext(context: NginxContext): string {
  if (context.kind === 'location') {
    const server = context.server ? ` of ${describeServer(context.server)}` : '';
    return `${describeLocation(context)}${server}`;
  }
  if (context.kind === 'server') return describeServer(context);
  return context.kind === 'http' ? 'the `http` block' : 'the main level';
}

/** A fingerprint key for a directive that survives edits elsewhere in the file. */
export function directiveKey(directive: NginxDirective): string {
  const path: string[] = [];
  for (let level: NginxDirective | undefined = directive; level; level = level.parent) {
    path.push(`${level.name} ${level.args.join(' ')}`.trim());
    if (path.length > 8) break;
  }
  return path.reverse().join(' > ');
}

/** A fingerprint key for a level. */
export function contextKey(context: NginxContext): string {
  return context.directive ? directiveKey(context.directive) : context.kind;
}

/** Where a level starts, for reports about a level as a whole: its block directive. */
export function contextLocation(context: NginxContext, config: NginxConfig) {
  return context.directive?.location ?? config.entry.fileStart();
}

/** Lists every directive in a configuration without recursion, with table blocks skipped. */
export function allDirectives(config: NginxConfig): NginxDirective[] {
  const result: NginxDirective[] = [];
  const stack: NginxDirective[] = [...config.directives].reverse();
  while (stack.length > 0) {
    const directive = stack.pop()!;
    result.push(directive);
    if (!directive.block || TABLE_BLOCKS.has(directive.name)) continue;
    for (let index = directive.block.length - 1; index >= 0; index--)
      stack.push(directive.block[index]!);
  }
  return result;
}

/** True when a directive sits inside a `stream` or `mail` block, which serve no HTTP. */
export function isOutsideHttp(directive: NginxDirective): boolean {
  for (let level = directive.parent; level; level = level.parent) {
    if (level.name === 'stream' || level.name === 'mail') return true;
  }
  return false;
}
