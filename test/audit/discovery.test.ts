import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyByName } from '../../src/audit/discovery/classify.js';
import { readGitView } from '../../src/audit/discovery/git.js';
import { readSource } from '../../src/audit/discovery/read.js';
import { walkTree } from '../../src/audit/discovery/walk.js';
import { groupComposeFiles } from '../../src/audit/model/compose-groups.js';
import { makeRepo } from '../cli/run-cli.js';

describe('classifyByName', () => {
  it.each([
    ['Dockerfile', 'dockerfile'],
    ['api/Dockerfile.prod', 'dockerfile'],
    ['build/worker.Dockerfile', 'dockerfile'],
    ['Containerfile', 'dockerfile'],
    ['Dockerfile.alpine', 'dockerfile'],
    ['docker/Dockerfile.api-prod', 'dockerfile'],
    ['compose.yaml', 'compose'],
    ['deploy/compose.prod.yml', 'compose'],
    ['docker-compose.yml', 'compose'],
    ['docker-compose.override.yaml', 'compose'],
    ['nginx.conf', 'nginx'],
    ['proxy/conf.d/app.conf', 'nginx'],
    ['nginx/default.conf.template', 'nginx'],
    ['db/postgresql.conf', 'postgresql-conf'],
    ['db/pg_hba.conf', 'pg-hba'],
    ['cache/redis.conf', 'redis-conf'],
    ['.env', 'env'],
    ['.env.production', 'env'],
    ['config/db.env', 'env'],
    ['.gitignore', 'gitignore'],
    ['.dockerignore', 'dockerignore'],
    ['Dockerfile.dockerignore', 'dockerignore'],
    ['.github/workflows/ci.yml', 'github-workflow'],
    ['.gitlab-ci.yml', 'gitlab-ci'],
  ])('classifies %s as %s', (path, kind) => {
    expect(classifyByName(path)).toBe(kind);
  });

  it.each([
    'README.md',
    'package.json',
    'app.conf',
    'Dockerfile.md',
    'Dockerfile.txt',
    'src/compose.ts',
    '.github/ci.yml',
    'src/parsers/dockerfile.ts',
    'test/dockerfile-scan.test.ts',
    'lib/dockerfile.go',
    'tests/__snapshots__/Dockerfile.snap',
  ])('leaves %s alone', (path) => {
    expect(classifyByName(path)).toBeUndefined();
  });
});

describe('groupComposeFiles', () => {
  it('merges the override file with its base', () => {
    expect(groupComposeFiles(['compose.override.yaml', 'compose.yaml'])).toEqual([
      ['compose.yaml', 'compose.override.yaml'],
    ]);
  });

  it('audits variants as overrides of the base', () => {
    expect(
      groupComposeFiles([
        'docker-compose.yml',
        'docker-compose.prod.yml',
        'docker-compose.dev.yml',
      ]),
    ).toEqual([
      ['docker-compose.yml'],
      ['docker-compose.yml', 'docker-compose.dev.yml'],
      ['docker-compose.yml', 'docker-compose.prod.yml'],
    ]);
  });

  it('keeps folders apart and files without a base alone', () => {
    expect(
      groupComposeFiles(['a/compose.yaml', 'b/compose.dev.yaml', 'b/compose.test.yaml']),
    ).toEqual([['a/compose.yaml'], ['b/compose.dev.yaml'], ['b/compose.test.yaml']]);
  });
});

describe('walkTree', () => {
  const files = {
    Dockerfile: 'FROM alpine:3.20\n',
    '.gitignore': 'build/\n.env\n',
    '.env': 'SECRET=1\n',
    'build/Dockerfile': 'FROM alpine:3.20\n',
    'node_modules/pkg/Dockerfile': 'FROM alpine:3.20\n',
    'app/.gitignore': '*.local.yml\n',
    'app/compose.local.yml': 'services: {}\n',
    'app/compose.yaml': 'services: {}\n',
  };

  it('skips node_modules and ignored paths without git', () => {
    const root = makeRepo(files);
    const result = walkTree(root, undefined);
    expect(result.files).toEqual([
      '.gitignore',
      'Dockerfile',
      'app/.gitignore',
      'app/compose.yaml',
    ]);
    expect([...result.ignored].sort()).toEqual(['.env', 'app/compose.local.yml', 'build/']);
  });

  it('uses git for ignored and tracked files', () => {
    const root = makeRepo(files);
    execFileSync('git', ['init', '-q'], { cwd: root });
    execFileSync('git', ['add', 'Dockerfile', 'app/compose.yaml'], { cwd: root });
    const git = readGitView(root)!;
    expect([...git.tracked].sort()).toEqual(['Dockerfile', 'app/compose.yaml']);
    const result = walkTree(root, git);
    expect(result.files).toEqual([
      '.gitignore',
      'Dockerfile',
      'app/.gitignore',
      'app/compose.yaml',
    ]);
    expect(result.ignored.has('build/')).toBe(true);
  });
});

describe('readSource', () => {
  it('skips a named pipe without blocking', () => {
    const root = makeRepo({ 'notes.txt': 'x\n' });
    execFileSync('mkfifo', [join(root, '.env')]);
    expect(readSource(root, '.env')).toEqual({});
  });

  it('reads a regular file whole', () => {
    const root = makeRepo({ Dockerfile: 'FROM alpine:3.19\n'.repeat(5000) });
    const outcome = readSource(root, 'Dockerfile');
    expect(outcome.file?.text).toBe('FROM alpine:3.19\n'.repeat(5000));
    expect(outcome.issue).toBeUndefined();
  });
});
