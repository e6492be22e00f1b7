import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseKeyValueConf, parsePgHba } from '../../src/audit/parsers/conf.js';
import { SourceFile } from '../../src/audit/source.js';

function postgres(text: string) {
  return parseKeyValueConf(new SourceFile('postgres/postgresql.conf', text), 'postgresql');
}

function redis(text: string) {
  return parseKeyValueConf(new SourceFile('redis/redis.conf', text), 'redis');
}

function hba(text: string) {
  return parsePgHba(new SourceFile('postgres/pg_hba.conf', text));
}

describe('parseKeyValueConf for postgresql.conf', () => {
  it('reads names, values and locations', () => {
    const conf = postgres(
      "# comment\nssl = on\n  listen_addresses='*'  # all\nPassword_Encryption scram-sha-256\n",
    );
    expect(conf.issues).toEqual([]);
    expect(conf.entries.map((entry) => [entry.key, entry.value])).toEqual([
      ['ssl', 'on'],
      ['listen_addresses', '*'],
      ['password_encryption', 'scram-sha-256'],
    ]);
    expect(conf.entries[1]!.location).toEqual({
      path: 'postgres/postgresql.conf',
      startLine: 3,
      startColumn: 3,
      endLine: 3,
      endColumn: 23,
    });
  });

  it('unquotes doubled and escaped quotes', () => {
    const conf = postgres("search_path = 'it''s, \\'x\\''\nempty = ''\n");
    expect(conf.entries[0]!.value).toBe("it's, 'x'");
    expect(conf.entries[1]!.value).toBe('');
  });

  it('reports missing values and trailing text', () => {
    const conf = postgres("ssl =\nport = 5432 extra\nshared_buffers = '128MB\n=x\n");
    expect(conf.issues.map((issue) => issue.message)).toEqual([
      'missing value for "ssl"',
      'unexpected text after the value of "port"',
      'quoted value of "shared_buffers" is never closed',
      'invalid parameter name at "=x"',
    ]);
    expect(conf.issues[1]!.location).toMatchObject({
      startLine: 2,
      startColumn: 13,
      endColumn: 18,
    });
  });

  it('handles CRLF line endings', () => {
    const conf = postgres('ssl = on\r\nport = 5432\r\n');
    expect(conf.entries.map((entry) => entry.value)).toEqual(['on', '5432']);
  });
});

describe('parseKeyValueConf for redis.conf', () => {
  it('splits arguments with quotes and escapes', () => {
    const conf = redis(
      'requirepass "s3cr\\x41t \\"q\\""\nrename-command FLUSHALL ""\nuser app on >pw ~* -@dangerous\n',
    );
    expect(conf.issues).toEqual([]);
    expect(conf.entries[0]).toMatchObject({ key: 'requirepass', value: 's3crAt "q"', rest: [] });
    expect(conf.entries[1]).toMatchObject({ key: 'rename-command', value: 'FLUSHALL', rest: [''] });
    expect(conf.entries[2]).toMatchObject({
      key: 'user',
      value: 'app',
      rest: ['on', '>pw', '~*', '-@dangerous'],
    });
  });

  it('lower-cases keywords and keeps # inside lines', () => {
    const conf = redis('  # comment\nBIND 127.0.0.1 -::1\nrequirepass pass#word\n');
    expect(conf.entries.map((entry) => entry.key)).toEqual(['bind', 'requirepass']);
    expect(conf.entries[1]!.value).toBe('pass#word');
    expect(conf.entries[0]!.location).toMatchObject({
      startLine: 2,
      startColumn: 1,
      endColumn: 20,
    });
  });

  it('reports unbalanced quotes', () => {
    const conf = redis('requirepass "open\nrequirepass "a"b\nport 6379\n');
    expect(conf.issues.map((issue) => issue.message)).toEqual([
      'quoted argument is never closed',
      'closing quote must be followed by a blank',
    ]);
    expect(conf.entries.map((entry) => entry.key)).toEqual(['port']);
  });
});

describe('parsePgHba', () => {
  it('reads local and host records', () => {
    const file = hba(
      '# TYPE DATABASE USER ADDRESS METHOD\nlocal all postgres peer\nhostssl app "app user" 10.0.0.0/8 scram-sha-256 clientcert=verify-full\n',
    );
    expect(file.issues).toEqual([]);
    expect(file.entries[0]).toMatchObject({
      type: 'local',
      database: 'all',
      user: 'postgres',
      method: 'peer',
    });
    expect(file.entries[0]!.address).toBeUndefined();
    expect(file.entries[1]).toMatchObject({
      type: 'hostssl',
      user: 'app user',
      address: '10.0.0.0/8',
      method: 'scram-sha-256',
      options: ['clientcert=verify-full'],
    });
    expect(file.entries[1]!.location).toMatchObject({
      startLine: 3,
      startColumn: 1,
      endColumn: 71,
    });
  });

  it('reads an address with a separate netmask', () => {
    const file = hba('host all all 192.168.0.0 255.255.0.0 md5\n');
    expect(file.entries[0]).toMatchObject({ address: '192.168.0.0 255.255.0.0', method: 'md5' });
  });

  it('joins continuation lines', () => {
    const file = hba('host all all \\\n  0.0.0.0/0 \\\n  trust\n');
    expect(file.issues).toEqual([]);
    expect(file.entries[0]).toMatchObject({ address: '0.0.0.0/0', method: 'trust' });
    expect(file.entries[0]!.location).toMatchObject({ startLine: 1, endLine: 3, endColumn: 8 });
  });

  it('reports malformed records', () => {
    const file = hba(
      'hots all all ::1/128 trust\nhost all all\nlocal all all magic\ninclude extra.conf\n',
    );
    expect(file.issues.map((issue) => issue.message)).toEqual([
      'invalid connection type "hots"',
      '"host" record has too few fields',
      'invalid authentication method "magic"',
    ]);
    expect(file.entries).toHaveLength(1);
  });
});

describe('conf parsers robustness', () => {
  const pieces = fc
    .array(
      fc.constantFrom(
        'ssl',
        '=',
        "'",
        '"',
        '\\',
        '#',
        ' ',
        '\t',
        '\n',
        '\r\n',
        'host',
        'all',
        'x',
        '0.0.0.0',
        '255.0.0.0',
        'trust',
        '\\x4',
      ),
      { maxLength: 120 },
    )
    .map((parts) => parts.join(''));
  const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), pieces);

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(text, (input) => {
        for (const parsed of [postgres(input), redis(input), hba(input)]) {
          for (const issue of parsed.issues) {
            expect(issue.location.startLine).toBeGreaterThanOrEqual(1);
            expect(issue.location.endLine).toBeGreaterThanOrEqual(issue.location.startLine);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('handles a long file in linear time', () => {
    const big = 'host all all 10.0.0.0/8 scram-sha-256\n'.repeat(50_000);
    const started = performance.now();
    expect(hba(big).entries).toHaveLength(50_000);
    expect(redis(big.replaceAll('host', 'bind')).entries).toHaveLength(50_000);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
