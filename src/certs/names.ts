import { isIP } from 'node:net';

/** The services of the deployment that terminate TLS, each with the names it answers to. */
export const CERT_SERVICES = ['nginx', 'postgres', 'redis'] as const;
export type CertService = (typeof CERT_SERVICES)[number];

/**
 * Names each certificate carries by default: the compose service name that other containers
 * connect to, and the loopback names for development. nginx has no service-name entry because
 * clients reach it by the public host name, which `--san nginx=NAME` adds.
 */
const DEFAULT_NAMES: Record<CertService, string[]> = {
  nginx: ['localhost', '127.0.0.1', '::1'],
  postgres: ['postgres', 'localhost', '127.0.0.1'],
  redis: ['redis', 'localhost', '127.0.0.1'],
};

export class SanError extends Error {
  override name = 'SanError';
}

const DNS_NAME =
  /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

export function isCertService(value: string): value is CertService {
  return (CERT_SERVICES as readonly string[]).includes(value);
}

/** Checks one subject alternative name: an IPv4 or IPv6 address, or a DNS name. */
export function validateName(name: string): void {
  if (isIP(name) !== 0) return;
  if (name.length <= 253 && DNS_NAME.test(name)) return;
  throw new SanError(`'${name}' is neither an IP address nor a valid DNS name`);
}

/**
 * Parses `--san` values such as `nginx=infraprime.example.com` into extra names per service.
 * Several names may follow one service, separated by commas.
 */
export function parseSanOptions(values: readonly string[]): Partial<Record<CertService, string[]>> {
  const extra: Partial<Record<CertService, string[]>> = {};
  for (const value of values) {
    const equals = value.indexOf('=');
    const service = equals > 0 ? value.slice(0, equals) : '';
    if (!isCertService(service)) {
      throw new SanError(
        `'${value}' does not start with a service name; write SERVICE=NAME with SERVICE one of ${CERT_SERVICES.join(', ')}`,
      );
    }
    const names = value
      .slice(equals + 1)
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    if (names.length === 0) throw new SanError(`'${value}' names no host after '='`);
    for (const name of names) validateName(name);
    extra[service] = [...(extra[service] ?? []), ...names];
  }
  return extra;
}

/** Returns the names of one service's certificate: defaults first, then extras, no repeats. */
export function namesFor(service: CertService, extra: readonly string[] = []): string[] {
  return [...new Set([...DEFAULT_NAMES[service], ...extra])];
}

/** Formats names as an OpenSSL `subjectAltName` value, such as `DNS:redis, IP:127.0.0.1`. */
export function subjectAltName(names: readonly string[]): string {
  return names.map((name) => (isIP(name) ? `IP:${name}` : `DNS:${name}`)).join(', ');
}
