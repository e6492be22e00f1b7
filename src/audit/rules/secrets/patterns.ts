/** Words that mark a variable as holding a secret, matched as `_`-separated parts of its name. */
const SECRET_WORDS = new Set([
  'PASSWORD',
  'PASSWD',
  'PASS',
  'PWD',
  'SECRET',
  'TOKEN',
  'APIKEY',
  'CREDENTIAL',
  'CREDENTIALS',
  'PASSPHRASE',
  'SALT',
]);
/** Two-word name parts that mark a secret, such as the `API_KEY` of `STRIPE_API_KEY`. */
const SECRET_PAIRS = new Set([
  'API_KEY',
  'PRIVATE_KEY',
  'ACCESS_KEY',
  'SECRET_KEY',
  'AUTH_KEY',
  'SIGNING_KEY',
  'ENCRYPTION_KEY',
  'MASTER_KEY',
  'CLIENT_SECRET',
  'LICENSE_KEY',
]);
/** Final name parts that describe a secret instead of holding one, as in `PASSWORD_FILE`. */
const DESCRIPTIVE_SUFFIXES = new Set([
  'FILE',
  'PATH',
  'DIR',
  'URL',
  'URI',
  'LENGTH',
  'LEN',
  'MIN',
  'MAX',
  'EXPIRY',
  'EXPIRES',
  'EXPIRATION',
  'TTL',
  'TIMEOUT',
  'LIFETIME',
  'AGE',
  'ENABLED',
  'REQUIRED',
  'POLICY',
  'ALGORITHM',
  'TYPE',
  'NAME',
  'USER',
  'USERNAME',
  'HEADER',
  'ENDPOINT',
  'HOST',
  'PORT',
  'ROUNDS',
  'COST',
  'ID',
  'SECONDS',
  'MINUTES',
  'HOURS',
  'DAYS',
  'EXPIRE',
  'COUNT',
  'SIZE',
  'LIMIT',
  'PREFIX',
  'MODE',
]);
/** Name parts of switches about a secret, as in `ALLOW_EMPTY_PASSWORD` or `MYSQL_RANDOM_ROOT_PASSWORD`. */
const SWITCH_WORDS = new Set(['ALLOW', 'EMPTY', 'RANDOM', 'GENERATE', 'SKIP', 'DISABLE', 'ENABLE']);

/** True for variable names such as `POSTGRES_PASSWORD`, `JWT_SECRET` or `STRIPE_API_KEY`. */
export function isSecretName(name: string): boolean {
  const parts = name
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean);
  if (parts.length === 0 || name.toUpperCase() === 'PWD' || name.toUpperCase() === 'OLDPWD')
    return false;
  if (DESCRIPTIVE_SUFFIXES.has(parts[parts.length - 1]!)) return false;
  if (parts.some((part) => SWITCH_WORDS.has(part))) return false;
  for (let i = 0; i < parts.length; i++) {
    if (SECRET_WORDS.has(parts[i]!)) return true;
    if (i + 1 < parts.length && SECRET_PAIRS.has(`${parts[i]}_${parts[i + 1]}`)) return true;
  }
  return false;
}

const PLACEHOLDER =
  /^(change[-_ .]?me(now|please)?|change[-_ .]?this|changeit|replace[-_ .]?me|replace[-_ .]?this|to[-_ ]?do|tbd|fixme|placeholder|example|sample|dummy|none|null|nil|undefined|empty|your[-_ .].*|.*[-_ .]here|<[^>]*>|\[[^\]]*\]|\{\{.*\}\}|__+.*__+|x{3,}|\*{3,}|\.{3,}|-+|_+)$/i;

/** True for values that stand for a secret without being one: `changeme`, `<password>`, `xxx`, empty. */
export function isPlaceholder(value: string): boolean {
  const trimmed = value.trim().replace(/^["']|["']$/g, '');
  return trimmed === '' || PLACEHOLDER.test(trimmed);
}

/** True for the values of yes/no switches, which are never secrets themselves. */
export function isSwitchValue(value: string): boolean {
  return /^(true|false|yes|no|on|off)$/i.test(value.trim());
}

/**
 * Well-known default passwords, such as `postgres` or `password`. In a template they show the
 * format and are public knowledge, so they leak nothing.
 */
const WELL_KNOWN_DEFAULTS = new Set([
  'password',
  'passw0rd',
  'pass',
  'secret',
  'postgres',
  'mysql',
  'redis',
  'root',
  'admin',
  'guest',
  'test',
  'dev',
  'development',
  'local',
  'default',
]);

/** True for a well-known default value such as `postgres` or `secret`, in any case. */
export function isWellKnownDefault(value: string): boolean {
  return WELL_KNOWN_DEFAULTS.has(value.trim().toLowerCase());
}

/** True when a value is only a variable reference, such as `${DB_PASSWORD}` or `$TOKEN`. */
export function isVariableReference(value: string): boolean {
  return /^\$(\{[^}]+\}|[A-Za-z_][A-Za-z0-9_]*)$/.test(value.trim());
}

/** Keeps the first characters of a secret, at most a quarter of it, and masks the rest. */
export function maskSecret(value: string): string {
  const visible = Math.min(4, Math.floor(value.length / 4));
  return `${value.slice(0, visible)}${'*'.repeat(8)}`;
}

/** Env file names meant to be committed as templates: `.env.example`, `.env.sample` and others. */
export function isEnvTemplate(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  return /(^|[.-])(example|sample|template|dist|defaults?|tpl)([.-]|$)/.test(
    name.replace(/^\.env/, 'env'),
  );
}

export interface TokenPattern {
  kind: string;
  pattern: RegExp;
  /** Index of the capture group holding the token; 0 for the whole match. */
  group: number;
}

/** Well-known credential formats, each distinctive enough to report wherever it appears. */
export const TOKEN_PATTERNS: readonly TokenPattern[] = [
  // The lookahead requires 40 characters of key material after the header, past PEM headers
  // such as `Proc-Type` and past `\n` escapes of a key written on one line, so a header
  // followed by `...` in documentation does not count.
  {
    kind: 'private key',
    pattern:
      /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?=(?:\s|\\n)*(?:[\w-]+:[^\n\\]*(?:\s|\\n)+)*[A-Za-z0-9+/=]{40})/g,
    group: 0,
  },
  { kind: 'AWS access key ID', pattern: /\b((?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16})\b/g, group: 1 },
  {
    kind: 'AWS secret access key',
    pattern: /aws_?secret_?access_?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/gi,
    group: 1,
  },
  { kind: 'GitHub token', pattern: /\b(gh[pousr]_[A-Za-z0-9]{36,251})\b/g, group: 1 },
  {
    kind: 'GitHub fine-grained token',
    pattern: /\b(github_pat_[A-Za-z0-9_]{22,255})\b/g,
    group: 1,
  },
  { kind: 'GitLab token', pattern: /\b(glpat-[A-Za-z0-9_-]{20,})\b/g, group: 1 },
  { kind: 'Slack token', pattern: /\b(xox[abposr]-[A-Za-z0-9-]{10,})\b/g, group: 1 },
  {
    kind: 'Slack webhook URL',
    pattern: /(https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+)/g,
    group: 1,
  },
  { kind: 'Stripe live key', pattern: /\b([rs]k_live_[A-Za-z0-9]{20,})\b/g, group: 1 },
  { kind: 'Google API key', pattern: /\b(AIza[0-9A-Za-z_-]{35})(?![0-9A-Za-z_-])/g, group: 1 },
  { kind: 'npm token', pattern: /\b(npm_[A-Za-z0-9]{36})\b/g, group: 1 },
];

export interface TokenMatch {
  kind: string;
  token: string;
  /** Offsets of the token in the text. */
  start: number;
  end: number;
}

/** Finds well-known credentials in a text, leaving out the documented example values. */
export function findTokens(text: string): TokenMatch[] {
  const found: TokenMatch[] = [];
  for (const { kind, pattern, group } of TOKEN_PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      const token = match[group]!;
      if (/EXAMPLE/i.test(token)) continue;
      const start = match.index + match[0].indexOf(token);
      found.push({ kind, token, start, end: start + token.length });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}
