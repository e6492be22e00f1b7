import { describe, expect, it } from 'vitest';
import { MAX_FLOW_DEPTH, parseYaml } from '../../src/audit/parsers/yaml.js';
import { SourceFile } from '../../src/audit/source.js';

function nested(depth: number): SourceFile {
  return new SourceFile('compose.yaml', `labels: ${'['.repeat(depth)}${']'.repeat(depth)}\n`);
}

describe('YAML flow nesting limit', () => {
  it('parses flow collections at the limit', () => {
    const parsed = parseYaml(nested(MAX_FLOW_DEPTH));
    expect(parsed.issues).toEqual([]);
    expect(parsed.documents).toHaveLength(1);
  });

  it('rejects one level more without parsing', () => {
    const parsed = parseYaml(nested(MAX_FLOW_DEPTH + 1));
    expect(parsed.documents).toEqual([]);
    expect(parsed.issues.map((issue) => issue.message)).toEqual([
      "YAML nesting in 'compose.yaml' is too deep for the parser to read",
    ]);
    expect(parsed.issues[0]!.location.startColumn).toBe('labels: '.length + MAX_FLOW_DEPTH + 1);
  });

  it('skips brackets in quotes and comments', () => {
    const brackets = '['.repeat(MAX_FLOW_DEPTH + 1);
    const text = `a: "${brackets}"\nb: '${brackets}'\n# ${brackets}\n`;
    expect(parseYaml(new SourceFile('compose.yaml', text)).issues).toEqual([]);
  });

  it.each([
    ['an apostrophe in a plain scalar', "name: it's\n"],
    ['an escaped quote in a quoted scalar', 'name: "say \\"hi\\""\n'],
    ['a # inside a plain scalar', 'color: a#b\n'],
  ])('still counts brackets after %s', (_case, before) => {
    const deep = `labels: ${'['.repeat(MAX_FLOW_DEPTH + 1)}${']'.repeat(MAX_FLOW_DEPTH + 1)}\n`;
    const parsed = parseYaml(new SourceFile('compose.yaml', before + deep));
    expect(parsed.documents).toEqual([]);
    expect(parsed.issues).toHaveLength(1);
  });

  it('survives repeated over-deep documents', () => {
    const deep = nested(20_000);
    for (let run = 0; run < 3; run++) expect(parseYaml(deep).issues).toHaveLength(1);
  });
});
