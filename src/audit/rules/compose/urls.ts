/** A connection URL found in a value, with what makes it unsafe. */
export interface UrlProblem {
  url: string;
  /** The URL with any password replaced by `****`. */
  masked: string;
  problems: string[];
}

const URL_PATTERN =
  /\b(postgres(?:ql)?|mysql2?|mariadb|rediss?|mongodb(?:\+srv)?):\/\/[^\s'"`<>]+/gi;

const PG_SECURE_MODES = new Set(['require', 'verify-ca', 'verify-full']);
/** Values of the `ssl` URL option that turn TLS on in JDBC, node-postgres and asyncpg. */
const PG_SSL_ON = new Set(['true', '1', 'require', 'verify-ca', 'verify-full']);
/** Query options that turn on TLS in common MySQL drivers and ORMs. */
const MYSQL_TLS_OPTIONS: Array<[string, RegExp]> = [
  ['ssl-mode', /^(required|verify_ca|verify_identity)$/i],
  ['sslmode', /^(require|required|verify-ca|verify-full|verify_ca|verify_identity)$/i],
  ['ssl', /^(true|1|\{.*\})$/i],
  ['tls', /^(true|1|skip-verify|preferred|custom)$/i],
  ['usessl', /^true$/i],
  ['sslaccept', /^(strict|accept_invalid_certs)$/i],
];

/** Replaces the password of a URL's user info with `****`. */
export function maskUrl(url: string): string {
  return url.replace(/^([a-z0-9+]+:\/\/[^:/@\s]*:)[^@\s]*@/i, '$1****@');
}

function queryOf(url: string): Map<string, string> {
  const query = new Map<string, string>();
  const mark = url.indexOf('?');
  if (mark === -1) return query;
  for (const part of url.slice(mark + 1).split('&')) {
    const [key, value = ''] = part.split('=');
    if (key) query.set(decodeSafely(key).toLowerCase(), decodeSafely(value));
  }
  return query;
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Options of a connection, from the URL or from the container environment. */
export interface UrlContext {
  /** `PGSSLMODE` of the container, which libpq applies when the URL sets no `sslmode`. */
  pgSslMode?: string;
}

/** Lists what is wrong with one connection URL; empty when it is encrypted (and authenticated). */
export function urlProblems(url: string, context: UrlContext = {}): string[] {
  const scheme = url.slice(0, url.indexOf(':')).toLowerCase();
  const query = queryOf(url);
  const problems: string[] = [];
  if (scheme === 'postgres' || scheme === 'postgresql') {
    const problem = postgresProblem(query, context);
    if (problem) problems.push(problem);
  } else if (scheme.startsWith('mysql') || scheme === 'mariadb') {
    const encrypted = MYSQL_TLS_OPTIONS.some(([key, pattern]) =>
      pattern.test(query.get(key) ?? ''),
    );
    if (!encrypted) problems.push('sets no TLS option such as `ssl-mode=REQUIRED`');
  } else if (scheme === 'redis' || scheme === 'rediss') {
    if (scheme === 'redis') problems.push('uses unencrypted `redis://` instead of `rediss://`');
    if (!hasPassword(url)) problems.push(NO_CREDENTIALS);
  } else if (scheme === 'mongodb' || scheme === 'mongodb+srv') {
    // `mongodb+srv://` turns TLS on unless the URL sets `tls=false` or `ssl=false`.
    const tls = (query.get('tls') ?? query.get('ssl'))?.toLowerCase();
    const encrypted = scheme === 'mongodb+srv' ? tls !== 'false' : tls === 'true';
    if (!encrypted) problems.push('sets no `tls=true`');
  }
  return problems;
}

/** The problem message for a Redis URL without a password. */
export const NO_CREDENTIALS = 'has no password';

/**
 * Checks a PostgreSQL URL: libpq's `sslmode`, else the `ssl` option that JDBC, node-postgres
 * and asyncpg read, else the container's `PGSSLMODE`.
 */
function postgresProblem(query: Map<string, string>, context: UrlContext): string | undefined {
  const mode = query.get('sslmode')?.toLowerCase();
  if (mode !== undefined) {
    return PG_SECURE_MODES.has(mode) ? undefined : `does not require TLS (\`sslmode=${mode}\`)`;
  }
  const ssl = query.get('ssl')?.toLowerCase();
  if (ssl !== undefined) {
    return PG_SSL_ON.has(ssl) ? undefined : `does not require TLS (\`ssl=${ssl}\`)`;
  }
  const environment = context.pgSslMode?.toLowerCase();
  if (environment !== undefined && PG_SECURE_MODES.has(environment)) return undefined;
  return 'sets no `sslmode=require`';
}

/** Finds connection URLs in a value and returns those with problems. */
export function findInsecureUrls(value: string, context: UrlContext = {}): UrlProblem[] {
  const found: UrlProblem[] = [];
  for (const url of findUrls(value)) {
    const problems = urlProblems(url, context);
    if (problems.length > 0) found.push({ url, masked: maskUrl(url), problems });
  }
  return found;
}

/** Lists the connection URLs in a value. */
export function findUrls(value: string): string[] {
  return [...value.matchAll(URL_PATTERN)].map((match) => match[0].replace(/[),;]+$/, ''));
}

/** True when the URL's user info contains a password (`user:pass@` or `:pass@`). */
export function hasPassword(url: string): boolean {
  return /^[a-z0-9+]+:\/\/[^/@\s]*:[^/@\s]+@/i.test(url);
}
