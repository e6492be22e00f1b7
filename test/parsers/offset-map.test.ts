import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { joinCommandLine, OffsetMap } from '../../src/audit/parsers/dockerfile/text.js';

describe('OffsetMap', () => {
  it('maps characters across continuation lines', () => {
    const source = 'RUN a \\\n  b \\\n\n# note\n  c\n';
    const joined = joinCommandLine(source, 4, source.length, '\\');
    expect(joined.text).toBe('a   b   c');
    // The blank line and the comment line after the second continuation are skipped.
    expect([...joined.offsets]).toEqual([4, 5, 8, 9, 10, 11, 22, 23, 24]);
    expect(joined.offsets.at(-1)).toBeUndefined();
    expect(joined.offsets.at(joined.text.length)).toBeUndefined();
  });

  it('points every character at itself on many runs', () => {
    const line = fc.stringMatching(/^[a-z=" ]{0,6}$/);
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 40 }), (lines) => {
        const source = `ENV ${lines.join(' \\\n')}\n`;
        const joined = joinCommandLine(source, 4, source.length, '\\');
        const offsets = [...joined.offsets];
        expect(offsets).toHaveLength(joined.text.length);
        offsets.forEach((offset, index) => {
          expect(source[offset]).toBe(joined.text[index]);
          if (index > 0) expect(offset).toBeGreaterThan(offsets[index - 1]!);
        });
        for (const from of [0, 1, Math.floor(offsets.length / 2)]) {
          expect([...joined.offsets.slice(from)]).toEqual(offsets.slice(from));
        }
      }),
      { seed: 20261204, numRuns: 500 },
    );
  });

  it('tells adjacent characters from ones split by a continuation', () => {
    const map = new OffsetMap(6, [0, 10, 3, 20]);
    expect(map.isContiguous(0, 3)).toBe(true);
    expect(map.isContiguous(2, 4)).toBe(false);
    expect(map.isContiguous(3, 6)).toBe(true);
  });

  it('maps every character of a constant map to one offset', () => {
    expect([...OffsetMap.constant(3, 7)]).toEqual([7, 7, 7]);
  });
});
