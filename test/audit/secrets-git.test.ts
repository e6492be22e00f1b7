import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditPath } from '../../src/audit/engine.js';
import { makeRepo } from '../cli/run-cli.js';

// SC003 depends on what git tracks and ignores, which fixture folders inside InfraPrime's own
// repository cannot show, so these cases build a small git repository in a temporary folder.

const COMPOSE = 'services:\n  db:\n    image: postgres:16.4-alpine\n    env_file: .env\n';
const ENV = 'POSTGRES_USER=app\nPOSTGRES_PASSWORD=Hn4sK8wQ2xV7mZ3r\n';
const roots: string[] = [];

function repo(files: Record<string, string>, git?: (root: string) => void): string {
  const root = makeRepo(files);
  roots.push(root);
  if (git) {
    execFileSync('git', ['init', '-q'], { cwd: root });
    git(root);
  }
  return root;
}

function gitAdd(root: string, ...args: string[]): void {
  execFileSync('git', ['add', ...args], { cwd: root });
}

function sc003(root: string) {
  return auditPath(root).findings.filter((finding) => finding.ruleId === 'SC003');
}

afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe('SC003 with git', () => {
  it('reports a tracked env file as critical', () => {
    const root = repo({ 'compose.yaml': COMPOSE, '.env': ENV }, (at) => gitAdd(at, '.'));
    const findings = sc003(root);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.severity).toBe('critical');
    expect(findings[0]!.message).toContain('tracked by git');
    expect(findings[0]!.location).toMatchObject({ path: '.env', startLine: 2, startColumn: 1 });
  });

  it('reports an untracked env file that git does not ignore', () => {
    const root = repo({ 'compose.yaml': COMPOSE, '.env': ENV }, (at) => gitAdd(at, 'compose.yaml'));
    const findings = sc003(root);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.severity).toBe('high');
    expect(findings[0]!.message).toContain('not ignored by git');
  });

  it('accepts an env file that git ignores', () => {
    const files = { 'compose.yaml': COMPOSE, '.env': ENV, '.gitignore': '.env\n' };
    const root = repo(files, (at) => gitAdd(at, '.'));
    expect(sc003(root)).toEqual([]);
  });

  it('reports an ignored env file that was added with force', () => {
    const files = { 'compose.yaml': COMPOSE, '.env': ENV, '.gitignore': '.env\n' };
    const root = repo(files, (at) => gitAdd(at, '-f', '.'));
    const findings = sc003(root);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.severity).toBe('critical');
    expect(findings[0]!.message).toContain('tracked by git');
  });

  it('accepts a tracked template with placeholders', () => {
    const files = { 'compose.yaml': COMPOSE, '.env.example': 'POSTGRES_PASSWORD=changeme\n' };
    const root = repo(files, (at) => gitAdd(at, '.'));
    expect(sc003(root)).toEqual([]);
  });

  it('accepts a tracked env file holding only references', () => {
    const files = { 'compose.yaml': COMPOSE, '.env': 'POSTGRES_PASSWORD=${DB_PASSWORD}\n' };
    const root = repo(files, (at) => gitAdd(at, '.'));
    expect(sc003(root)).toEqual([]);
  });
});

describe('SC003 without git', () => {
  it('reads .gitignore files', () => {
    const root = repo({ 'compose.yaml': COMPOSE, '.env': ENV, '.gitignore': '.env\n' });
    expect(sc003(root)).toEqual([]);
  });

  it('reports an env file that no .gitignore covers', () => {
    const root = repo({ 'compose.yaml': COMPOSE, 'db/.env': ENV });
    const findings = sc003(root);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.severity).toBe('high');
    expect(findings[0]!.location?.path).toBe('db/.env');
  });
});

describe('finding the repository', () => {
  it('follows a symbolic link to a folder inside a repository', () => {
    const root = repo({ 'deploy/compose.yaml': COMPOSE, 'deploy/.env': ENV }, (at) =>
      gitAdd(at, '.'),
    );
    const links = mkdtempSync(join(tmpdir(), 'infraprime-link-'));
    roots.push(links);
    const link = join(links, 'deploy');
    symlinkSync(join(root, 'deploy'), link);

    const findings = sc003(link);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.severity).toBe('critical');
    expect(findings[0]!.message).toContain('tracked by git');
  });
});
