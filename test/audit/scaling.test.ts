import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { buildModel } from '../../src/audit/model/build.js';
import { parseDockerfile } from '../../src/audit/parsers/dockerfile.js';
import { parseYaml } from '../../src/audit/parsers/yaml.js';
import { healthcheckRule } from '../../src/audit/rules/compose/healthcheck.js';
import { SourceFile } from '../../src/audit/source.js';
import { makeRepo } from '../cli/run-cli.js';

const roots: string[] = [];

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** Writes a compose file in which each odd service waits for the one before it to exit. */
function composeWithServices(count: number): string {
  const lines = ['services:'];
  for (let i = 0; i < count; i++) {
    lines.push(`  s${i}:`, '    image: nginx:1.27');
    if (i % 2 === 1) {
      lines.push('    depends_on:', `      s${i - 1}:`);
      lines.push('        condition: service_completed_successfully');
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Returns the fastest of three runs in milliseconds, which filters out pauses of the runtime. */
function fastestRun(run: () => void): number {
  let fastest = Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt < 3; attempt++) {
    const started = performance.now();
    run();
    fastest = Math.min(fastest, performance.now() - started);
  }
  return fastest;
}

describe('audit scaling', () => {
  it('healthcheck rule reads depends_on once per service', () => {
    const count = 200;
    const root = makeRepo({ 'compose.yaml': composeWithServices(count) });
    roots.push(root);
    const { model } = buildModel(root);
    let reads = 0;
    for (const service of model.compose[0]!.services) {
      service.config = new Proxy(service.config, {
        get(target, key, receiver) {
          if (key === 'depends_on') reads++;
          return Reflect.get(target, key, receiver);
        },
      });
    }

    const reported: string[] = [];
    healthcheckRule.check(model, (report) => reported.push(report.message));

    expect(reads).toBeLessThanOrEqual(2 * count);
    expect(reported).toHaveLength(count / 2);
  });

  it('yaml locate stays linear in key count', () => {
    // A linear lookup makes eight times the keys cost about eight times as long, a scan per
    // lookup 64 times. The bound of 24 sits between the two, far enough from each for a noisy
    // machine.
    const timeLocatingAll = (count: number) => {
      const yaml = parseYaml(new SourceFile('compose.yaml', composeWithServices(count)));
      return fastestRun(() => {
        for (let i = 0; i < count; i++) yaml.locate(['services', `s${i}`, 'image']);
      });
    };
    timeLocatingAll(500);

    const small = timeLocatingAll(2_000);
    const large = timeLocatingAll(16_000);

    expect(large / small).toBeLessThan(24);
  });

  it('yaml parse stays linear in key count', () => {
    const timeParsing = (count: number) => {
      const lines = Array.from({ length: count }, (_, i) => `key${i}: ${i}`);
      const file = new SourceFile('keys.yaml', `${lines.join('\n')}\n`);
      return fastestRun(() => parseYaml(file));
    };
    timeParsing(500);

    const small = timeParsing(1_250);
    const large = timeParsing(10_000);

    expect(large / small).toBeLessThan(24);
  });
});

describe('Dockerfile scaling', () => {
  // Each continuation line is a run of the offset map, and the readers look up every word, so
  // a search from the first run each time made these instructions quadratic.
  it.each([
    ['ENV pairs', (i: number) => `K${i}=v${i}`, 'ENV '],
    ['exec-form elements', (i: number) => `"a${i}",`, 'CMD ["start", '],
  ])('reads %s on continuation lines in linear time', (_, word, head) => {
    const timeParsing = (count: number) => {
      const words = Array.from({ length: count }, (_, i) => word(i)).join(' \\\n    ');
      const tail = head.startsWith('CMD') ? ' "end"]' : '';
      const file = new SourceFile('Dockerfile', `FROM alpine:3.19\n${head}${words}${tail}\n`);
      return fastestRun(() => parseDockerfile(file));
    };
    timeParsing(1_000);

    const small = timeParsing(4_000);
    const large = timeParsing(32_000);

    expect(large / small).toBeLessThan(24);
  });
});

describe('yaml duplicate keys', () => {
  it.each([
    ['a block mapping', 'a: 1\nb: 2\na: 3\n', [[3, 1]]],
    ['a flow mapping', 'x: {b: 1, "b": 2}\n', [[1, 11]]],
    ['an explicit key', '? a\n: 1\n? a\n: 2\n', [[3, 3]]],
    ['a tagged key', '&k a: 1\n!!str a: 2\n', [[2, 7]]],
    ['null keys', 'null: 1\n~: 2\n', [[2, 1]]],
  ])('reports a repeat in %s', (_, text, positions) => {
    const yaml = parseYaml(new SourceFile('keys.yaml', text));
    const duplicates = yaml.issues.filter((issue) => issue.message.includes('unique'));
    const found = duplicates.map((issue) => [issue.location.startLine, issue.location.startColumn]);
    expect(found).toEqual(positions);
  });

  it.each([
    ['merge keys', 'a: &a {x: 1}\nb: &b {y: 1}\nc:\n  <<: *a\n  <<: *b\n'],
    ['keys of different types', '1: x\n"1": y\n'],
    ['keys in different mappings', 'a: {k: 1}\nb: {k: 1}\n'],
  ])('accepts %s', (_, text) => {
    const yaml = parseYaml(new SourceFile('keys.yaml', text));
    expect(yaml.issues).toEqual([]);
  });
});
