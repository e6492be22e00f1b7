import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEPLOY, issueCertificates, makeTempDir } from './loopback.js';

/**
 * The first-start steps of deploy/README.md (generate-secrets.sh, then `infraprime certs`) must
 * produce every file and variable compose.yaml needs, or `docker compose up` stops at once.
 */

interface Compose {
  secrets: Record<string, { file: string }>;
}

let dir: string;
let compose: Compose;
let composeText: string;

beforeAll(() => {
  dir = makeTempDir('infraprime-compose-');
  cpSync(DEPLOY, join(dir, 'deploy'), { recursive: true });
  rmSync(join(dir, 'deploy', 'secrets'), { recursive: true, force: true });
  rmSync(join(dir, 'deploy', '.env'), { force: true });
  const generated = spawnSync('bash', [join(dir, 'deploy', 'scripts', 'generate-secrets.sh')], {
    encoding: 'utf8',
  });
  if (generated.status !== 0) throw new Error(`generate-secrets.sh failed: ${generated.stderr}`);
  issueCertificates(join(dir, 'deploy', 'secrets'));
  composeText = readFileSync(join(dir, 'deploy', 'compose.yaml'), 'utf8');
  compose = parse(composeText) as Compose;
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('compose.yaml inputs after the first-start steps', () => {
  it('finds every secret file', () => {
    const files = Object.values(compose.secrets).map((secret) => secret.file);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      expect(existsSync(join(dir, 'deploy', file)), `${file} exists`).toBe(true);
    }
  });

  it('sets every required variable in .env', () => {
    const env = readFileSync(join(dir, 'deploy', '.env'), 'utf8');
    const required = [...composeText.matchAll(/\$\{([A-Z0-9_]+):\?[^}]*\}/g)].map(
      (match) => match[1]!,
    );
    expect(required.length).toBeGreaterThan(0);
    for (const name of new Set(required)) {
      expect(env, `${name} is set`).toMatch(new RegExp(`^${name}=\\S+$`, 'm'));
    }
  });

  it.each(['deploy/.env', 'deploy/secrets/ca.key', 'deploy/secrets/redis_users.acl'])(
    'keeps %s out of git',
    (path) => {
      const result = spawnSync('git', ['check-ignore', '-q', path], { cwd: join(DEPLOY, '..') });
      expect(result.status, `git ignores ${path}`).toBe(0);
    },
  );
});
