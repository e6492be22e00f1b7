import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOKEN_PREFIX = 'ipt_';

/** 32 random bytes, base64url: session ids, CSRF tokens and API token secrets. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Hashes a high-entropy secret for storage; a slow hash adds nothing for 256 random bits. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function newApiToken(): { token: string; prefix: string; hash: string } {
  const token = `${TOKEN_PREFIX}${randomSecret()}`;
  return { token, prefix: token.slice(0, TOKEN_PREFIX.length + 6), hash: hashSecret(token) };
}
