import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditPath } from '../src/audit/engine.js';
import { allRules } from '../src/audit/rules/registry.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'rules');

interface Expected {
  path: string;
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

function findingsOf(ruleId: string, folder: string) {
  return auditPath(folder)
    .findings.filter((finding) => finding.ruleId === ruleId && !finding.suppression)
    .map((finding) => {
      const at = finding.location!;
      return {
        path: at.path,
        startLine: at.startLine,
        startColumn: at.startColumn,
        endLine: at.endLine,
        endColumn: at.endColumn,
      };
    });
}

describe('rule registry', () => {
  it('has unique ids and names', () => {
    const ids = allRules.map((rule) => rule.id);
    const names = allRules.map((rule) => rule.name);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(names).size).toBe(names.length);
  });

  it('is sorted by id', () => {
    const ids = allRules.map((rule) => rule.id);
    expect(ids).toEqual([...ids].sort());
  });

  it.each(allRules.map((rule) => [rule.id, rule] as const))(
    '%s has complete metadata',
    (_, rule) => {
      expect(rule.id).toMatch(/^(IP|DF|DC|NG|PG|RD|SC|CI)\d{3}$/);
      expect(rule.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(rule.title.length).toBeGreaterThan(5);
      expect(rule.rationale.length).toBeGreaterThan(60);
      expect(rule.fix.length).toBeGreaterThan(15);
      expect(rule.control).toMatch(/^[a-z-]+\.[a-z0-9-]+$/);
    },
  );
});

const checked = allRules.filter((rule) => rule.target !== 'core');

describe.each(checked.map((rule) => [rule.id, rule] as const))('rule %s', (id) => {
  const failFolder = join(FIXTURES, id, 'fail');
  const passFolder = join(FIXTURES, id, 'pass');

  it('has failing and passing fixtures', () => {
    expect(existsSync(join(failFolder, 'expected.json'))).toBe(true);
    expect(existsSync(passFolder)).toBe(true);
  });

  it('reports exactly the expected findings in fail', () => {
    const expected = JSON.parse(
      readFileSync(join(failFolder, 'expected.json'), 'utf8'),
    ) as Expected[];
    expect(expected.length).toBeGreaterThan(0);
    const sort = (list: Expected[]) =>
      [...list].sort(
        (a, b) =>
          a.path.localeCompare(b.path) ||
          a.startLine - b.startLine ||
          a.startColumn - b.startColumn,
      );
    expect(sort(findingsOf(id, failFolder))).toEqual(sort(expected));
  });

  it('reports nothing in pass', () => {
    expect(findingsOf(id, passFolder)).toEqual([]);
  });

  it('has generated documentation', () => {
    expect(existsSync(join(import.meta.dirname, '..', 'docs', 'rules', `${id}.md`))).toBe(true);
  });
});
