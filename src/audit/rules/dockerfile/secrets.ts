/** Last name segments that mark a secret, as in `DB_PASSWORD` or `apiToken`. */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'pass',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'privatekey',
  'credential',
  'credentials',
]);

/** Words that make `<word>_KEY` a secret, as in `API_KEY` or `SECRET_ACCESS_KEY`. */
const KEY_PREFIXES = new Set([
  'api',
  'private',
  'secret',
  'access',
  'auth',
  'encryption',
  'signing',
  'master',
  'session',
  'client',
  'account',
  'service',
  'license',
]);

/** Splits `dbPassword`, `DB_PASSWORD` and `db-password` into lowercase words. */
function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word.length > 0)
    .map((word) => word.toLowerCase());
}

/**
 * True when a variable or label name says it holds a secret. Only the last words count, so
 * `PASSWORD_FILE`, `TOKEN_URL` and `GPG_KEY` are not secrets but `ADMIN_PASSWORD` is.
 */
export function isSecretName(name: string): boolean {
  const words = nameWords(name);
  const last = words[words.length - 1];
  if (last === undefined) return false;
  if (SECRET_WORDS.has(last)) return true;
  const before = words[words.length - 2];
  return last === 'key' && before !== undefined && KEY_PREFIXES.has(before);
}

const PLACEHOLDER =
  /^(|\$\{?[A-Za-z_][A-Za-z0-9_]*(:?[-?][^}]*)?\}?|<[^>]*>|x+|\*+|\.+|changeme|change[-_]?me|placeholder|dummy|none|null|undefined|todo|replace[-_]?me)$/i;

/** True when a value is empty, a bare variable reference, or an obvious placeholder. */
export function isPlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value.trim());
}

/** Token formats that are secrets whatever the variable is called. */
const TOKEN_PATTERNS: Array<[RegExp, string]> = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
  [/\bAKIA[0-9A-Z]{16}\b/, 'an AWS access key'],
  [/\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}\b|\bgithub_pat_[A-Za-z0-9_]{30,}/, 'a GitHub token'],
  [/\bglpat-[A-Za-z0-9_-]{20,}/, 'a GitLab token'],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/, 'a Slack token'],
  [/\b[sr]k_live_[A-Za-z0-9]{16,}/, 'a Stripe key'],
  [/\bnpm_[A-Za-z0-9]{36}\b/, 'an npm token'],
  [/\bAIza[0-9A-Za-z_-]{35}\b/, 'a Google API key'],
];

/** A URL whose user information includes a literal password, as in `postgres://app:pw@db/app`. */
const URL_PASSWORD = /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:([^\s/@]+)@/i;

/** Describes the secret a value contains by its format, or returns undefined. */
export function secretInValue(value: string): string | undefined {
  for (const [pattern, what] of TOKEN_PATTERNS) if (pattern.test(value)) return what;
  const password = URL_PASSWORD.exec(value)?.[1];
  if (password !== undefined && !isPlaceholder(password)) return 'a URL with a password';
  return undefined;
}

/** Masks a secret for evidence, keeping only its length visible. */
export function maskSecret(value: string): string {
  return value.length === 0 ? '' : '*'.repeat(Math.min(value.length, 8));
}
