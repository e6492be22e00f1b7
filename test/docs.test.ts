import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExamples, renderRuleDoc, renderRuleIndex } from '../src/audit/docs/render.js';
import { allRules } from '../src/audit/rules/registry.js';

const DOCS = join(import.meta.dirname, '..', 'docs', 'rules');
const FIXTURES = join(import.meta.dirname, 'fixtures', 'rules');

describe('rule documentation', () => {
  it.each(allRules.map((rule) => [rule.id, rule] as const))('%s page is up to date', (id, rule) => {
    const written = readFileSync(join(DOCS, `${id}.md`), 'utf8');
    expect(written, 'run `npm run docs:rules` after changing a rule or its fixtures').toBe(
      renderRuleDoc(rule, loadExamples(FIXTURES, rule)),
    );
  });

  it('index lists every rule and nothing else', () => {
    expect(readFileSync(join(DOCS, 'README.md'), 'utf8')).toBe(renderRuleIndex(allRules));
    const pages = readdirSync(DOCS)
      .filter((name) => name !== 'README.md')
      .sort();
    expect(pages).toEqual(allRules.map((rule) => `${rule.id}.md`).sort());
  });
});
