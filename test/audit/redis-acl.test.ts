import { describe, expect, it } from 'vitest';
import { auditPath } from '../../src/audit/engine.js';
import { makeRepo } from '../cli/run-cli.js';

const HASH = '0b59d82983de7564f18e0ff725a2ea5d6febdf63ce950f098326af66b97b8bae';
const OPEN_ACL = `user app on #${HASH} ~* +@all\n`;

function redisFindings(files: Record<string, string>): string[] {
  const root = makeRepo(files);
  return auditPath(root)
    .findings.filter((finding) => finding.ruleId === 'RD001' || finding.ruleId === 'RD004')
    .map((finding) => `${finding.ruleId} ${finding.location?.path}:${finding.location?.startLine}`);
}

function compose(command: string, volume: string): string {
  return `services:\n  cache:\n    image: redis:7.2\n    command: ${command}\n    volumes:\n      - ${volume}\n`;
}

describe('Redis ACL files', () => {
  it('reads a relative aclfile path from /data', () => {
    const found = redisFindings({
      'compose.yaml': compose('redis-server --aclfile users.acl', './users.acl:/data/users.acl'),
      'users.acl': OPEN_ACL,
    });
    expect(found).toEqual(['RD001 users.acl:1', 'RD004 users.acl:1']);
  });

  it('reads a relative aclfile path from dir', () => {
    const found = redisFindings({
      'compose.yaml': compose(
        'redis-server --dir /var/lib/redis --aclfile acl/users.acl',
        './users.acl:/var/lib/redis/acl/users.acl',
      ),
      'users.acl': OPEN_ACL,
    });
    expect(found).toEqual(['RD001 users.acl:1', 'RD004 users.acl:1']);
  });

  it('matches a path written with a doubled slash', () => {
    const found = redisFindings({
      'compose.yaml': compose(
        'redis-server --aclfile /etc/redis//users.acl',
        './users.acl:/etc/redis/users.acl',
      ),
      'users.acl': OPEN_ACL,
    });
    expect(found).toEqual(['RD001 users.acl:1', 'RD004 users.acl:1']);
  });

  it('reads an ACL file whose name does not end in .acl', () => {
    const found = redisFindings({
      'compose.yaml': compose(
        'redis-server --aclfile /etc/redis/users',
        './users:/etc/redis/users',
      ),
      users: `user default off\n${OPEN_ACL}`,
    });
    expect(found).toEqual(['RD004 users:2']);
  });

  it('reports a named user with nopass', () => {
    const found = redisFindings({
      'compose.yaml': compose(
        'redis-server --aclfile /etc/redis/users',
        './users:/etc/redis/users',
      ),
      users: 'user default off\nuser worker on nopass ~jobs:* +@all -@dangerous\n',
    });
    expect(found).toEqual(['RD001 users:2']);
  });

  it('keeps any-name ACL file', () => {
    const root = makeRepo({
      'compose.yaml': compose(
        'redis-server --aclfile /etc/redis/users',
        './users:/etc/redis/users',
      ),
      users: 'user default off\nuser worker on nopass ~jobs:* +@all -@dangerous\n',
    });
    const result = auditPath(root);
    expect(result.files.get('users')?.text).toContain('user worker on nopass');
  });

  it('reads users.conf as ACL only', () => {
    const root = makeRepo({
      'compose.yaml': compose(
        'redis-server --tls-port 6379 --port 0 --aclfile /etc/redis/users.conf',
        './redis-users.conf:/etc/redis/users.conf',
      ),
      'redis-users.conf': 'user default off\n',
    });
    const rules = auditPath(root).findings.filter((finding) => finding.ruleId.startsWith('RD'));
    expect(rules.map((finding) => `${finding.ruleId} ${finding.location?.path}`)).toEqual([]);
  });

  it('reports comments in any-name ACL', () => {
    const root = makeRepo({
      'compose.yaml': compose(
        'redis-server --aclfile /etc/redis/users',
        './users:/etc/redis/users',
      ),
      users: `# users\nuser default off\n${OPEN_ACL}`,
    });
    const errors = auditPath(root).findings.filter((finding) => finding.kind === 'parse-error');
    expect(
      errors.map((finding) => `${finding.location?.path}:${finding.location?.startLine}`),
    ).toEqual(['users:1']);
  });

  it('skips a disabled user with nopass', () => {
    const found = redisFindings({
      'compose.yaml': compose('redis-server --aclfile users.acl', './users.acl:/data/users.acl'),
      'users.acl': 'user default off\nuser retired off nopass ~* -@all\n',
    });
    expect(found).toEqual([]);
  });

  it('reads an ACL file from a mount of the whole repository', () => {
    const found = redisFindings({
      'compose.yaml': compose('redis-server --aclfile /etc/redis/users.acl', '.:/etc/redis'),
      'users.acl': `user default off\n${OPEN_ACL}`,
    });
    expect(found).toEqual(['RD004 users.acl:2']);
  });

  it('skips a server whose ACL file is not in the repository', () => {
    const found = redisFindings({
      'compose.yaml': compose('redis-server --aclfile /etc/redis/users.acl', './other:/etc/other'),
      'other/users.acl': OPEN_ACL,
    });
    expect(found).toEqual([]);
  });

  it('reads a file shared with a PostgreSQL service as the Redis ACL file', () => {
    const found = redisFindings({
      'compose.yaml': [
        'services:',
        '  db:',
        '    image: postgres:16',
        '    volumes:',
        '      - ./users.acl:/usr/local/etc/redis/users.acl',
        '  cache:',
        '    image: redis:7.2',
        '    command: redis-server --aclfile /etc/redis/users.acl',
        '    volumes:',
        '      - ./users.acl:/etc/redis/users.acl',
        '',
      ].join('\n'),
      'users.acl': `user default off\n${OPEN_ACL}`,
    });
    expect(found).toEqual(['RD004 users.acl:2']);
  });

  it.each([
    ['a comment line', `# users\n${OPEN_ACL}`, 'it takes no comment lines'],
    ['an upper-case keyword', `USER app on #${HASH} ~* +@all\n`, '`USER` is not `user`'],
    ['a tab', `user\tapp on #${HASH} ~* +@all\n`, 'it splits lines at spaces only'],
    ['quotes', `user app on #${HASH} "~*" +@all\n`, 'it does not remove quotes'],
    ['a user defined twice', `user default off\nuser default on nopass\n`, 'defined twice'],
    ['a tab between rules', `user app on\t#${HASH} ~* +@all\n`, 'it splits lines at spaces only'],
    ['a line with no user name', 'user\n', '`user` needs a user name'],
    ['an unknown rule', 'user carol on nopass bogus\n', '`bogus` is not an ACL rule'],
    ['a second space after user', 'user  carol on nopass\n', 'makes the user name empty'],
    [
      'a user rule in a selector',
      'user carol on >pw (~k on)\n',
      'not an ACL rule inside a selector',
    ],
    ['an unclosed selector', 'user carol on >pw (~k +get\n', 'has no closing'],
    ['a short hash', 'user carol on #abc ~* +@all\n', 'is not a SHA-256 password hash'],
    ['a tab in a key pattern', 'user carol on >pw ~a\tb +@all\n', 'it splits lines at spaces only'],
  ])('reports %s, on which Redis refuses to start', (_, acl, reason) => {
    const root = makeRepo({
      'compose.yaml': compose(
        'redis-server --aclfile /etc/redis/users.acl',
        './users.acl:/etc/redis/users.acl',
      ),
      'users.acl': acl,
    });
    const errors = auditPath(root).findings.filter((finding) => finding.kind === 'parse-error');
    expect(errors.map((finding) => finding.location?.path)).toEqual(['users.acl']);
    expect(errors[0]!.message).toContain('Redis refuses to start with this ACL file');
    expect(errors[0]!.message).toContain(reason);
  });

  it('accepts end tabs, free text and selectors', () => {
    const root = makeRepo({
      'compose.yaml': compose(
        'redis-server --aclfile /etc/redis/users.acl',
        './users.acl:/etc/redis/users.acl',
      ),
      'users.acl': [
        '\tuser default off\t',
        'user quoted on \t+@all ~q:*\t >pw',
        'user "dave" on >pw ~d:*',
        'user app on >pa"ss\tword ~app:* +@all -@dangerous',
        'user cache ON #' + HASH + ' (~cache:* +get) resetchannels &jobs:* skip-sanitize-payload',
        '',
      ].join('\n'),
    });
    const errors = auditPath(root).findings.filter((finding) => finding.kind === 'parse-error');
    expect(errors).toEqual([]);
  });

  it('accepts blank lines, CRLF and extra spaces', () => {
    const root = makeRepo({
      'compose.yaml': compose(
        'redis-server --aclfile /etc/redis/users.acl',
        './users.acl:/etc/redis/users.acl',
      ),
      'users.acl': `\r\n  user default off\r\n\r\nuser app on  #${HASH}  ~app:* +@all -@dangerous  \r\n`,
    });
    const findings = auditPath(root).findings;
    expect(findings.filter((finding) => finding.kind === 'parse-error')).toEqual([]);
    const users = findings.filter((f) => f.ruleId === 'RD001' || f.ruleId === 'RD004');
    expect(users).toEqual([]);
  });
});
