/** A connection URL found in a value, with what makes it unsafe. */
export interface UrlProblem {
  url: string;
  /** The URL with any password replaced by `****`. */
  masked: string;
  problems: string[];
}

const URL_PATTERN = /\b(postgres(?:ql)?|mysql2?|mariadb|rediss?|mongodb(?:\+srv)?):\/\/[^\s'"`<>]+/gi;

const PG_SECURE_MODES = new Set(['require', 'verify-ca', 'verify-full']);
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

/** True when the URL's user info holds a password (`user:pass@` or `:pass@`). */
function hasPassword(url: string): boolean {
  return /^[a-z0-9+]+:\/\/[^/@\s]*:[^/@\s]+@/i.test(url);
}

/** Lists what is wrong with one connection URL; empty when it is encrypted (and authenticated). */
export function urlProblems(url: string): string[] {
  const scheme = url.slice(0, url.indexOf(':')).toLowerCase();
  const query = queryOf(url);
  const problems: string[] = [];
  if (scheme === 'postgres' || scheme === 'postgresql') {
    const mode = query.get('sslmode')?.toLowerCase();
    if (!mode || !PG_SECURE_MODES.has(mode)) {
      problems.push(mode ? `uses \`sslmode=${mode}\`, which does not require TLS` : 'sets no `sslmode=require`');
    }
  } else if (scheme.startsWith('mysql') || scheme === 'mariadb') {
    const encrypted = MYSQL_TLS_OPTIONS.some(([key, pattern]) => pattern.test(query.get(key) ?? ''));
    if (!encrypted) problems.push('sets no TLS option such as `ssl-mode=REQUIRED`');
  } else if (scheme === 'redis' || scheme === 'rediss') {
    if (scheme === 'redis') problems.push('uses `redis://`, which is unencrypted; use `rediss://`');
    if (!hasPassword(url)) problems.push('has no credentials');
  } else if (scheme === 'mongodb') {
    const tls = query.get('tls') ?? query.get('ssl');
    if (tls?.toLowerCase() !== 'true') problems.push('sets no `tls=true`');
  }
  return problems;
}

/** Finds connection URLs in a value and returns those with problems. */
export function findInsecureUrls(value: string): UrlProblem[] {
  const found: UrlProblem[] = [];
  for (const match of value.matchAll(URL_PATTERN)) {
    const url = match[0].replace(/[),;]+$/, '');
    const problems = urlProblems(url);
    if (problems.length > 0) found.push({ url, masked: maskUrl(url), problems });
  }
  return found;
}
