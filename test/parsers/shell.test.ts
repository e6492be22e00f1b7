import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitShellCommands } from '../../src/audit/parsers/shell.js';
import { valueToRaw } from '../../src/audit/rules/dockerfile/commands.js';

const valuesOf = (text: string) =>
  splitShellCommands(text).map((command) => command.words.map((word) => word.value));

describe('splitShellCommands', () => {
  it.each([
    ['apt-get install -y curl', [['apt-get', 'install', '-y', 'curl']]],
    [`echo 'a b' "c $(d e) f" g\\ h`, [['echo', 'a b', 'c $(d e) f', 'g h']]],
    ['echo "a\\"b" "x\\$y" "p\\q"', [['echo', 'a"b', 'x$y', 'p\\q']]],
    ['echo ${HOME:-/root} $PATH `id -u`', [['echo', '${HOME:-/root}', '$PATH', '`id -u`']]],
    ['make \\\n  install', [['make', 'install']]],
    ['cat <(ls) > out 2>&1', [['cat', '<(ls)']]],
    ['a && b || c; d | e & f', [['a'], ['b'], ['c'], ['d'], ['e'], ['f']]],
    ['if true; then echo yes; fi', [['true'], ['echo', 'yes']]],
  ])('splits %j', (text, expected) => {
    expect(valuesOf(text)).toEqual(expected);
  });

  it('keeps a backslash that ends an unclosed double quote', () => {
    // This read as the text "undefined" before.
    expect(valuesOf('echo "abc\\')).toEqual([['echo', 'abc\\']]);
  });

  it('keeps word offsets and raw text', () => {
    const [command] = splitShellCommands('  FOO="a b" pip install -r req.txt');
    expect(command!.assignments.map((word) => word.raw)).toEqual(['FOO="a b"']);
    expect(command!.words[0]).toEqual({ raw: 'pip', value: 'pip', start: 12, end: 15 });
    expect(command!.start).toBe(2);
    expect(command!.end).toBe(34);
  });

  it('numbers pipelines so that piped commands share one', () => {
    const pipelines = splitShellCommands('curl -fsSL x | sh && echo done').map((c) => c.pipeline);
    expect(pipelines[0]).toBe(pipelines[1]);
    expect(pipelines[2]).not.toBe(pipelines[1]);
  });

  it.each([
    ['x=$(sudo make)', ['sudo make']],
    ['echo "$(id -u) $(nproc)"', ['id -u', 'nproc']],
    ['echo `uname -m`', ['uname -m']],
    ['diff <(sort a) b', ['sort a']],
    ['echo $(a $(b))', ['a $(b)']],
    ['echo $((1 + 2)) ${HOME}', []],
    ["echo '$(not run)'", []],
    ['echo $(unclosed', []],
  ])('finds the substitutions of %s', (text, scripts) => {
    const found = splitShellCommands(text).flatMap((command) =>
      command.substitutions.map((substitution) => text.slice(substitution.start, substitution.end)),
    );
    expect(found).toEqual(scripts);
  });

  it('never throws, and every word lies inside the text', () => {
    const shellText = fc.string({
      unit: fc.constantFrom(...' \t\n\r\\\'"$(){}<>|&;#=-ab1`'.split('')),
      maxLength: 60,
    });
    fc.assert(
      fc.property(shellText, (text) => {
        for (const command of splitShellCommands(text)) {
          for (const word of [...command.assignments, ...command.words]) {
            expect(word.start).toBeGreaterThanOrEqual(0);
            expect(word.end).toBeLessThanOrEqual(text.length);
            expect(text.slice(word.start, word.end)).toBe(word.raw);
            expect(word.value).not.toContain('undefined');
          }
          for (const substitution of command.substitutions) {
            expect(substitution.start).toBeGreaterThan(0);
            expect(substitution.end).toBeLessThanOrEqual(text.length);
            expect(substitution.start).toBeLessThanOrEqual(substitution.end);
          }
        }
      }),
      { seed: 20261204, numRuns: 2000 },
    );
  });

  it('maps value characters to raw', () => {
    const shellText = fc.string({
      unit: fc.constantFrom(...' \\\'"$()<>ab`\n'.split('')),
      maxLength: 40,
    });
    fc.assert(
      fc.property(shellText, (text) => {
        for (const command of splitShellCommands(text)) {
          for (const word of command.words) {
            const offsets = valueToRaw(word.raw);
            expect(offsets).toHaveLength(word.value.length + 1);
            for (let i = 0; i < word.value.length; i++) {
              expect(word.raw[offsets[i]!]).toBe(word.value[i]);
            }
          }
        }
      }),
      { seed: 20261205, numRuns: 3000 },
    );
  });
});
