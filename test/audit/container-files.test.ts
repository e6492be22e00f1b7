import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditPath } from '../../src/audit/engine.js';
import { buildModel } from '../../src/audit/model/build.js';
import { containerToRepo, createRepoIndex } from '../../src/audit/model/container-files.js';
import type { ContainerFile } from '../../src/audit/model/types.js';
import { makeRepo } from '../cli/run-cli.js';

const AT = { path: 'compose.yaml', startLine: 1, startColumn: 1, endLine: 1, endColumn: 2 };
const repo = createRepoIndex(['conf/nginx.conf', 'conf/site.conf', 'hardened.conf']);
const folder: ContainerFile = {
  containerPath: '/etc/nginx/',
  repoPath: 'conf/',
  mounted: true,
  location: AT,
};
const file: ContainerFile = {
  containerPath: '/etc/nginx/nginx.conf',
  repoPath: 'hardened.conf',
  mounted: true,
  location: AT,
};

describe('container paths of nested mounts', () => {
  it.each([
    ['file mount first', [file, folder]],
    ['folder mount first', [folder, file]],
  ])('maps to the deeper mount, %s', (_order, mounts) => {
    expect(containerToRepo('/etc/nginx/nginx.conf', mounts, repo)).toEqual(['hardened.conf']);
  });

  it('maps other files through the folder mount', () => {
    expect(containerToRepo('/etc/nginx/site.conf', [file, folder], repo)).toEqual([
      'conf/site.conf',
    ]);
  });

  it('glob keeps visible files only', () => {
    expect(containerToRepo('/etc/nginx/*.conf', [file, folder], repo)).toEqual([
      'conf/site.conf',
      'hardened.conf',
    ]);
  });

  it('folder mount hides copied files', () => {
    const copied: ContainerFile = { ...file, repoPath: 'hardened.conf', mounted: false };
    expect(containerToRepo('/etc/nginx/nginx.conf', [folder, copied], repo)).toEqual([
      'conf/nginx.conf',
    ]);
  });

  it('deeper folder mount hides files', () => {
    const index = createRepoIndex(['a/nginx.conf', 'a/conf.d/a.conf', 'b/b.conf']);
    const outer: ContainerFile = { ...folder, repoPath: 'a/' };
    const inner: ContainerFile = { ...folder, containerPath: '/etc/nginx/conf.d/', repoPath: 'b/' };
    expect(containerToRepo('/etc/nginx/conf.d/*.conf', [inner, outer], index)).toEqual([
      'b/b.conf',
    ]);
  });

  it('last copy wins without mounts', () => {
    const first: ContainerFile = { ...file, mounted: false };
    const later: ContainerFile = { ...folder, mounted: false };
    expect(containerToRepo('/etc/nginx/nginx.conf', [first, later], repo)).toEqual([
      'conf/nginx.conf',
    ]);
    expect(containerToRepo('/etc/nginx/nginx.conf', [later, first], repo)).toEqual([
      'hardened.conf',
    ]);
  });
});

describe('Redis ACL file under a folder mount', () => {
  const OPEN = 'user default on nopass ~* +@all\n';
  const CLOSED = 'user default off\n';
  const compose = (volumes: string[]) =>
    [
      'services:',
      '  cache:',
      '    image: redis:7.2',
      '    command: redis-server --aclfile /etc/redis/users.acl',
      '    volumes:',
      ...volumes.map((volume) => `      - ${volume}`),
      '',
    ].join('\n');

  it.each([
    ['file mount first', ['./good.acl:/etc/redis/users.acl:ro', './conf:/etc/redis:ro']],
    ['folder mount first', ['./conf:/etc/redis:ro', './good.acl:/etc/redis/users.acl:ro']],
  ])('reads the file mount, %s', (_order, volumes) => {
    const root = makeRepo({
      'compose.yaml': compose(volumes),
      'good.acl': CLOSED,
      'conf/users.acl': OPEN,
    });
    const rd001 = auditPath(root).findings.filter((finding) => finding.ruleId === 'RD001');
    expect(rd001).toEqual([]);
  });

  it('reports the open file when it is the deeper mount', () => {
    const root = makeRepo({
      'compose.yaml': compose(['./conf:/etc/redis:ro', './open.acl:/etc/redis/users.acl:ro']),
      'open.acl': OPEN,
      'conf/users.acl': CLOSED,
    });
    const rd001 = auditPath(root).findings.filter((finding) => finding.ruleId === 'RD001');
    expect(rd001.map((finding) => finding.location?.path)).toEqual(['open.acl']);
  });
});

describe('compose configs and secrets', () => {
  const COMPOSE = [
    'services:',
    '  cache:',
    '    image: redis:7.2',
    '    command: ["redis-server", "--aclfile", "/etc/redis/users.acl"]',
    '    configs:',
    '      - source: redis_acl',
    '        target: /etc/redis/users.acl',
    '      - plain',
    '    secrets:',
    '      - db_password',
    '      - source: api_key',
    '        target: api.key',
    '      - source: external_key',
    'configs:',
    '  redis_acl:',
    '    file: users.acl',
    '  plain:',
    '    file: ./conf/plain.conf',
    'secrets:',
    '  db_password:',
    '    file: ./secrets/db_password.txt',
    '  api_key:',
    '    file: ./secrets/api.key',
    '  external_key:',
    '    external: true',
    '',
  ].join('\n');

  it('mounts file entries read-only', () => {
    const root = makeRepo({
      'compose.yaml': COMPOSE,
      'users.acl': 'user default off\n',
      'conf/plain.conf': 'x\n',
      'secrets/db_password.txt': 'x\n',
      'secrets/api.key': 'x\n',
    });
    const service = buildModel(root).model.compose[0]!.services[0]!;
    const mounts = service.mounts.map((mount) => [mount.target, mount.repoPath, mount.readOnly]);
    expect(mounts).toEqual([
      ['/etc/redis/users.acl', 'users.acl', true],
      ['/plain', 'conf/plain.conf', true],
      ['/run/secrets/db_password', 'secrets/db_password.txt', true],
      ['/run/secrets/api.key', 'secrets/api.key', true],
    ]);
  });

  it('reads ACL file given as config', () => {
    const root = makeRepo({
      'compose.yaml': COMPOSE,
      'users.acl': 'user default on nopass ~* +@all\n',
    });
    const rd001 = auditPath(root).findings.filter((finding) => finding.ruleId === 'RD001');
    expect(rd001.map((finding) => finding.location?.path)).toEqual(['users.acl']);
  });
});

describe('nginx configuration a proxy service loads', () => {
  const nginxFilesOf = (files: Record<string, string>) => {
    const service = buildModel(makeRepo(files)).model.compose[0]!.services[0]!;
    return service.nginx?.files.map((file) => file.path);
  };

  it('reads mounted folder over copy', () => {
    expect(
      nginxFilesOf({
        'compose.yaml': 'services:\n  proxy:\n    build: .\n    volumes: ["./a:/etc/nginx:ro"]\n',
        Dockerfile: 'FROM nginx:1.27\nCOPY b/nginx.conf /etc/nginx/nginx.conf\nUSER nginx\n',
        'a/nginx.conf': 'events {}\nhttp { server_tokens off; }\n',
        'b/nginx.conf': 'events {}\nhttp { server_tokens on; }\n',
      }),
    ).toEqual(['a/nginx.conf']);
  });

  it('cleans mount targets', () => {
    expect(
      nginxFilesOf({
        'compose.yaml':
          'services:\n  proxy:\n    image: nginx:1.27\n    volumes: ["./c/main.conf:/etc//nginx/./nginx.conf:ro"]\n',
        'c/main.conf': 'events {}\nhttp { server_tokens off; }\n',
      }),
    ).toEqual(['c/main.conf']);
  });
});

describe('folders that hold no walked file', () => {
  it.each([
    ['an ignored folder', { '.infraprime.yml': 'ignore: ["conf/**"]\n', 'conf/site.conf': 'x\n' }],
    ['an empty folder', {}],
  ])('mounts %s as a folder', (_case, files: Record<string, string>) => {
    const root = makeRepo({
      'compose.yaml':
        'services:\n  proxy:\n    image: nginx:1.27\n    volumes: ["./conf:/etc/nginx/conf.d:ro"]\n',
      ...files,
    });
    mkdirSync(join(root, 'conf'), { recursive: true });
    const service = buildModel(root, { ignore: ['conf/**'] }).model.compose[0]!.services[0]!;
    expect(service.containerFiles.map((file) => [file.containerPath, file.repoPath])).toEqual([
      ['/etc/nginx/conf.d/', 'conf/'],
    ]);
  });
});

describe('files a Dockerfile copies into a proxy image', () => {
  const NGINX = 'events {}\nhttp {\n  server_tokens off;\n  include /etc/nginx/conf.d/*.conf;\n}\n';
  const nginxFilesOf = (dockerfile: string) => {
    const root = makeRepo({
      'compose.yaml': 'services:\n  web:\n    build: .\n',
      Dockerfile: dockerfile,
      'nginx.conf': NGINX,
      'conf.d/site.conf': 'server {\n  listen 8080;\n}\n',
    });
    return buildModel(root).model.compose[0]!.services[0]!.nginx?.files.map((file) => file.path);
  };

  it('follows a COPY with a glob source', () => {
    expect(
      nginxFilesOf(
        'FROM nginx:1.27\nCOPY nginx.conf /etc/nginx/nginx.conf\nCOPY conf.d/*.conf /etc/nginx/conf.d/\n',
      ),
    ).toEqual(['nginx.conf', 'conf.d/site.conf']);
  });

  it.each([
    ['a glob that matches a folder', 'COPY conf* /etc/nginx/conf.d/'],
    ['a glob that matches one file', 'COPY conf.d/site.con[f] /etc/nginx/conf.d/site.conf'],
  ])('follows %s', (_case, copy) => {
    expect(
      nginxFilesOf(`FROM nginx:1.27\nCOPY nginx.conf /etc/nginx/nginx.conf\n${copy}\n`),
    ).toEqual(['nginx.conf', 'conf.d/site.conf']);
  });

  it('reads glob characters in the context name literally', () => {
    const root = makeRepo({
      'compose.yaml': 'services:\n  web:\n    build: "./proxy (v2)"\n',
      'proxy (v2)/Dockerfile':
        'FROM nginx:1.27\nCOPY nginx.conf /etc/nginx/nginx.conf\nCOPY conf.d/*.conf /etc/nginx/conf.d/\n',
      'proxy (v2)/nginx.conf': NGINX,
      'proxy (v2)/conf.d/site.conf': 'server {\n  listen 8080;\n}\n',
    });
    const service = buildModel(root).model.compose[0]!.services[0]!;
    expect(service.nginx?.files.map((file) => file.path)).toEqual([
      'proxy (v2)/nginx.conf',
      'proxy (v2)/conf.d/site.conf',
    ]);
  });

  it('copies into WORKDIR for target .', () => {
    expect(
      nginxFilesOf(
        'FROM nginx:1.27\nCOPY nginx.conf /etc/nginx/nginx.conf\nWORKDIR /etc/nginx/conf.d\nCOPY conf.d/site.conf .\n',
      ),
    ).toEqual(['nginx.conf', 'conf.d/site.conf']);
  });
});
