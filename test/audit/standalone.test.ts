import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditPath } from '../../src/audit/engine.js';
import type { DeploymentModel } from '../../src/audit/model/types.js';
import { allRules } from '../../src/audit/rules/registry.js';
import { makeRepo } from '../cli/run-cli.js';

// The engine checks Dockerfiles that no compose service builds one at a time. These tests run
// the same trees with every Dockerfile kept in one model and require identical findings.

const CORPUS = join(import.meta.dirname, '../../../shared/corpus');
const NOW = new Date('2026-12-04T00:00:00Z');

function bothWays(root: string) {
  const separate = auditPath(root, { now: NOW });
  const whole = auditPath(root, { now: NOW, separateStandalone: false });
  return { separate, whole };
}

describe('checking standalone Dockerfiles one at a time', () => {
  it.skipIf(!existsSync(join(CORPUS, 'awesome-compose')))(
    'finds what the whole-model run finds on every awesome-compose project',
    () => {
      const projects = readdirSync(join(CORPUS, 'awesome-compose'), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => join(CORPUS, 'awesome-compose', entry.name));
      expect(projects.length).toBeGreaterThan(30);
      let total = 0;
      for (const project of projects) {
        const { separate, whole } = bothWays(project);
        expect(separate.findings, project).toEqual(whole.findings);
        expect(separate.inputErrors, project).toBe(whole.inputErrors);
        total += separate.findings.length;
      }
      expect(total).toBeGreaterThan(100);
    },
  );

  it.skipIf(!existsSync(join(CORPUS, 'kics')))(
    'finds what the whole-model run finds on the KICS samples',
    () => {
      const { separate, whole } = bothWays(join(CORPUS, 'kics'));
      expect(separate.findings.length).toBeGreaterThan(100);
      expect(separate.findings).toEqual(whole.findings);
      expect(separate.inputErrors).toBe(whole.inputErrors);
    },
  );

  it('finds what the whole-model run finds beside compose, secrets and parse errors', () => {
    const root = makeRepo({
      'compose.yaml': 'services:\n  web:\n    build: ./web\n',
      'web/Dockerfile': 'FROM node:20\nCOPY . /app\nCMD ["node", "/app"]\n',
      'tools/Dockerfile': 'FROM python:3.12\nCOPY .npmrc /root/\nRUN pip install flask\n',
      'tools/.npmrc': '//registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789\n',
      'broken/Dockerfile': 'FROM alpine\nRUN <<EOF\necho never closed\n',
      'tools/.dockerignore': '.git\n',
    });
    const { separate, whole } = bothWays(root);
    const found = new Set(separate.findings.map((f) => `${f.ruleId} ${f.location?.path}`));
    // The standalone files still get Dockerfile findings, parse errors and copied secrets.
    expect(found).toContain('IP001 broken/Dockerfile');
    expect(found).toContain('DF001 broken/Dockerfile');
    expect(found).toContain('DF012 tools/Dockerfile');
    expect(found).toContain('DC016 compose.yaml');
    expect(separate.inputErrors).toBe(1);
    expect(separate.findings).toEqual(whole.findings);
    expect(separate.inputErrors).toBe(whole.inputErrors);
  });
});

describe('rules from outside the registry', () => {
  it('see every Dockerfile in one model', () => {
    const root = makeRepo({
      'a/Dockerfile': 'FROM alpine:3.19\n',
      'b/Dockerfile': 'FROM debian:12\n',
    });
    const counted: number[] = [];
    const counting = {
      ...allRules.find((rule) => rule.id === 'DF001')!,
      id: 'XX001',
      name: 'count-dockerfiles',
      check: (model: DeploymentModel) => {
        counted.push(model.dockerfiles.length);
      },
    };

    auditPath(root, { now: NOW, rules: [counting] });

    expect(counted).toEqual([2]);
  });
});
