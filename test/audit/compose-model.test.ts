import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { auditPath } from '../../src/audit/engine.js';
import { buildModel } from '../../src/audit/model/build.js';
import type { ComposeService } from '../../src/audit/model/types.js';
import { findInsecureUrls, urlProblems } from '../../src/audit/rules/compose/urls.js';
import { makeRepo } from '../cli/run-cli.js';

const roots: string[] = [];

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function servicesOf(files: Record<string, string>): Map<string, ComposeService> {
  const root = makeRepo(files);
  roots.push(root);
  const { model } = buildModel(root);
  return new Map(model.compose.flatMap((project) => project.services).map((s) => [s.name, s]));
}

describe('compose service roles', () => {
  it.each([
    ['traefik:v3.1', 'proxy'],
    ['caddy:2.8-alpine', 'proxy'],
    ['haproxy:3.0', 'proxy'],
    ['envoyproxy/envoy:v1.31.0', 'proxy'],
    ['nginxproxy/nginx-proxy:1.6', 'proxy'],
    ['nginx:1.27-alpine', 'proxy'],
    ['redislabs/redismod:7.2.0', 'datastore'],
    ['redpandadata/redpanda:v24.2.4', 'datastore'],
    ['postgres:16.4-alpine', 'datastore'],
    ['ghcr.io/acme/api:1.4.2', 'application'],
  ])('gives %s the role %s', (image, role) => {
    const services = servicesOf({ 'compose.yaml': `services:\n  svc:\n    image: ${image}\n` });
    expect(services.get('svc')?.role).toBe(role);
  });

  it('recognizes a data store built FROM mysql', () => {
    const services = servicesOf({
      'compose.yaml': 'services:\n  db:\n    build: ./db\n',
      'db/Dockerfile': 'FROM mysql:8.4\n',
    });
    expect(services.get('db')?.datastore).toBe('mysql');
  });
});

const USER_FROM_VARIABLES =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the text is a compose file.
  'services:\n  app:\n    image: alpine:3.20\n    user: "${UID}:${GID}"\n';

describe('compose service user', () => {
  it('marks a user from unset variables as unresolved', () => {
    const services = servicesOf({ 'compose.yaml': USER_FROM_VARIABLES });
    expect(services.get('app')?.user?.value).toBe(':');
    expect(services.get('app')?.user?.unresolved).toBe(true);
  });

  it('resolves a user from the .env file', () => {
    const services = servicesOf({
      'compose.yaml': USER_FROM_VARIABLES,
      '.env': 'UID=1000\nGID=1000\n',
    });
    expect(services.get('app')?.user?.value).toBe('1000:1000');
    expect(services.get('app')?.user?.unresolved).toBeUndefined();
  });
});

describe('compose build args', () => {
  it('reads the list syntax', () => {
    const services = servicesOf({
      'compose.yaml':
        'services:\n  api:\n    build:\n      context: .\n      args:\n' +
        '        - NODE_ENV=development\n        - FROM_SHELL\n',
    });
    const args = services.get('api')?.build?.args;
    expect(args?.get('NODE_ENV')).toBe('development');
    expect(args?.has('FROM_SHELL')).toBe(true);
    expect(args?.get('FROM_SHELL')).toBeUndefined();
  });

  it('reads the mapping syntax with interpolation', () => {
    const services = servicesOf({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the text is a compose file.
      'compose.yaml': 'services:\n  api:\n    build:\n      args:\n        PORT: ${PORT}\n',
      '.env': 'PORT=8080\n',
    });
    expect(services.get('api')?.build?.args?.get('PORT')).toBe('8080');
  });
});

describe('compose mounts', () => {
  it('locates the source of the long syntax', () => {
    const services = servicesOf({
      'compose.yaml': [
        'services:',
        '  app:',
        '    image: alpine:3.20',
        '    volumes:',
        '      - type: bind',
        '        source: /var/run/docker.sock',
        '        target: /var/run/docker.sock',
        '      - ./data:/data',
        '',
      ].join('\n'),
    });
    const [long, short] = services.get('app')?.mounts ?? [];
    expect(long?.sourceLocation).toMatchObject({ startLine: 6, startColumn: 17, endColumn: 37 });
    expect(short?.location.startLine).toBe(8);
    expect(short?.sourceLocation).toBeUndefined();
  });
});

describe('urlProblems', () => {
  it.each([
    ['postgres://app:pw@db/app?sslmode=require', []],
    ['postgres://app:pw@db/app?sslmode=verify-full', []],
    ['postgres://app:pw@db/app', ['sets no `sslmode=require`']],
    ['postgres://app:pw@db/app?sslmode=prefer', ['does not require TLS (`sslmode=prefer`)']],
    ['postgresql://db:5432/app?ssl=true', []],
    ['postgresql://db/app?ssl=false', ['does not require TLS (`ssl=false`)']],
    ['redis://:pw@cache:6379/0', ['uses unencrypted `redis://` instead of `rediss://`']],
    ['rediss://cache:6380/0', ['has no password']],
    ['rediss://default:pw@cache:6380/0', []],
    ['mysql://app:pw@db/app?ssl-mode=REQUIRED', []],
    ['mongodb+srv://app:pw@cluster0.example.net/app', []],
    ['mongodb://app:pw@mongo/app', ['sets no `tls=true`']],
  ])('checks %s', (url, problems) => {
    expect(urlProblems(url)).toEqual(problems);
  });

  it('finds the URL inside a JDBC URL', () => {
    const [found] = findInsecureUrls('jdbc:postgresql://db:5432/app?ssl=false');
    expect(found?.url).toBe('postgresql://db:5432/app?ssl=false');
    expect(found?.problems).toEqual(['does not require TLS (`ssl=false`)']);
  });

  it('applies PGSSLMODE to a URL without sslmode', () => {
    expect(urlProblems('postgresql://app@db/app', { pgSslMode: 'require' })).toEqual([]);
    expect(urlProblems('postgresql://app@db/app', { pgSslMode: 'prefer' })).toEqual([
      'sets no `sslmode=require`',
    ]);
  });
});

describe('DC023 related locations', () => {
  it('points at the .env entry behind an interpolated URL', () => {
    const root = makeRepo({
      'compose.yaml':
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the text is a compose file.
        'services:\n  api:\n    image: alpine:3.20\n    environment:\n      DB: ${DB_URL}\n',
      '.env': 'TZ=UTC\nDB_URL=postgres://app@db/app\n',
    });
    roots.push(root);
    const finding = auditPath(root).findings.find((candidate) => candidate.ruleId === 'DC023');
    expect(finding?.location?.startLine).toBe(5);
    expect(finding?.related?.[0]?.location).toMatchObject({ path: '.env', startLine: 2 });
  });
});
