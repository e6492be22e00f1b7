import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Discovery } from '../../src/audit/model/build.js';
import { planShards } from '../../src/audit/parallel.js';
import { BIN, makeRepo, runCli } from '../cli/run-cli.js';

function discoveryOf(paths: string[]): Discovery {
  return { git: undefined, paths: [...paths].sort(), ignored: new Set(), issues: [] };
}

function dockerfileTree(folders: number): string[] {
  return Array.from(
    { length: folders },
    (_, index) => `app${String(index).padStart(4, '0')}/Dockerfile`,
  );
}

describe('planShards', () => {
  it('keeps small trees in one thread', () => {
    expect(planShards(discoveryOf(dockerfileTree(100)), 2)).toBeUndefined();
  });

  it('keeps everything in one thread when told to', () => {
    expect(planShards(discoveryOf(dockerfileTree(2000)), 1)).toBeUndefined();
  });

  it('splits a large Dockerfile tree by folder', () => {
    const paths = [...dockerfileTree(1000), 'app0001/.dockerignore', 'README.md'];
    const shards = planShards(discoveryOf(paths), 2);
    expect(shards).toHaveLength(2);
    expect(shards!.flat().sort()).toEqual([...paths].sort());
    expect(shards![0]).toContain('README.md');
    const shardOf = (path: string) => shards!.findIndex((shard) => shard.includes(path));
    expect(shardOf('app0001/.dockerignore')).toBe(shardOf('app0001/Dockerfile'));
  });

  it.each([
    ['a compose file', 'app0001/compose.yaml'],
    ['an nginx configuration', 'app0001/nginx/nginx.conf'],
    ['a file that may be nginx', 'app0001/site.conf'],
    ['a GitHub workflow', '.github/workflows/ci.yml'],
    ['a Dockerfile at the top', 'Dockerfile'],
  ])('keeps one thread for a tree with %s', (_, extra) => {
    expect(planShards(discoveryOf([...dockerfileTree(1000), extra]), 2)).toBeUndefined();
  });
});

const CORPUS = join(import.meta.dirname, '../../../shared/corpus/awesome-compose');

function corpusDockerfiles(folder: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) found.push(...corpusDockerfiles(path));
    else if (name === 'Dockerfile') found.push(path);
  }
  return found;
}

describe('audit with worker threads', () => {
  it.skipIf(!existsSync(CORPUS) || !existsSync(BIN))(
    'reports what one thread reports',
    () => {
      const sources = corpusDockerfiles(CORPUS).map((path) => readFileSync(path, 'utf8'));
      const files: Record<string, string> = {};
      for (let index = 0; index < 900; index++) {
        files[`app${String(index).padStart(4, '0')}/Dockerfile`] = sources[index % sources.length]!;
      }
      const root = makeRepo(files);
      const serial = runCli(['audit', root, '--format', 'json', '--threads', '1']);
      const parallel = runCli(['audit', root, '--format', 'json', '--threads', '2']);
      expect(serial.status).toBe(1);
      expect(parallel.status).toBe(1);
      const findingsOf = (output: string) => JSON.parse(output).findings as unknown[];
      expect(findingsOf(serial.stdout).length).toBeGreaterThan(900);
      expect(findingsOf(parallel.stdout)).toEqual(findingsOf(serial.stdout));
    },
    60_000,
  );

  it('rejects an invalid thread count', () => {
    const result = runCli(['audit', makeRepo({ Dockerfile: 'FROM scratch\n' }), '--threads', '0']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("invalid thread count '0'");
  });
});
