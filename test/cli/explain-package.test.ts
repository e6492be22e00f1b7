import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExamples } from '../../src/audit/docs/render.js';
import { EXAMPLES_FILE, ruleExamples } from '../../src/cli/commands/rules.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'rules');
const MISSING = join(ROOT, 'test', 'no-such-folder');

describe('rule examples in a packed package', () => {
  it('reads the built examples without fixtures', () => {
    const packed = ruleExamples({ id: 'SC003' }, MISSING);
    expect(packed).toEqual(loadExamples(FIXTURES, { id: 'SC003' }));
    expect(packed.correct.map((example) => example.path)).toContain('.gitignore');
    expect(packed.incorrect.length).toBeGreaterThan(0);
  });

  it('returns no examples when neither source exists', () => {
    expect(ruleExamples({ id: 'DF001' }, MISSING, join(MISSING, 'examples.json'))).toEqual({
      incorrect: [],
      correct: [],
    });
  });

  it('packs the examples file', () => {
    const result = spawnSync('npm', ['pack', '--dry-run', '--json'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    const files = (JSON.parse(result.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!
      .files;
    expect(files.map((file) => file.path)).toContain('dist/rule-examples.json');
    expect(EXAMPLES_FILE.endsWith(join('dist', 'rule-examples.json'))).toBe(true);
  });
});
