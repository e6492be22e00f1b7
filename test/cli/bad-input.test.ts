import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditPath } from '../../src/audit/engine.js';
import { BIN, makeRepo, runCli } from './run-cli.js';

const GOOD_DOCKERFILE = 'FROM node:20.11.1-alpine\nUSER node\nCMD ["node", "server.js"]\n';

function inputFindings(root: string) {
  return auditPath(root).findings.filter(
    (f) => f.kind === 'input-error' || f.kind === 'parse-error',
  );
}

describe('bad input', () => {
  it('rejects a path that does not exist with exit 2', () => {
    const result = runCli(['audit', '/nonexistent/infraprime-path']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("path '/nonexistent/infraprime-path' does not exist");
    expect(result.stderr).not.toContain('    at ');
  });

  it('reports malformed YAML with its line and goes on', () => {
    const root = makeRepo({
      'compose.yaml': 'services:\n  web:\n    image: [unclosed\n',
      'api/Dockerfile': GOOD_DOCKERFILE,
    });
    const found = inputFindings(root);
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]!.location?.path).toBe('compose.yaml');
    expect(found[0]!.location?.startLine).toBeGreaterThanOrEqual(3);
    expect(found[0]!.message).toContain('help:');
  });

  it('reports only YAML errors for an unclosed list', () => {
    const root = makeRepo({
      'compose.yaml': 'services:\n  web:\n    image: nginx:1.27\n  ports: [80:80\n',
    });
    const messages = inputFindings(root).map((f) => f.message);
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.filter((m) => !m.startsWith('invalid YAML'))).toEqual([]);
    expect(messages[0]).toContain('help: close the `[` with `]`');
    expect(messages[0]).not.toContain('same column');
  });

  it('bounds a YAML alias bomb', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let level = 1; level < 12; level++) {
      const previous = String.fromCharCode(96 + level);
      const name = String.fromCharCode(97 + level);
      lines.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(',')}]`);
    }
    const root = makeRepo({
      'compose.yaml': `x-bomb:\n${lines.map((l) => `  ${l}`).join('\n')}\nservices: {}\n`,
    });
    const started = performance.now();
    const found = inputFindings(root);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(found.some((f) => f.location?.path === 'compose.yaml')).toBe(true);
  });

  it('survives deeply nested YAML', () => {
    const depth = 20_000;
    const root = makeRepo({ 'compose.yaml': `${'['.repeat(depth)}${']'.repeat(depth)}\n` });
    expect(() => auditPath(root)).not.toThrow();
    const found = inputFindings(root);
    expect(found.map((finding) => finding.message)).toEqual([
      "YAML nesting in 'compose.yaml' is too deep for the parser to read; help: keep nesting to a few dozen levels, as real configuration does",
    ]);
  });

  it('skips a binary file with a configuration name', () => {
    const root = makeRepo({ Dockerfile: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 3]) });
    const found = inputFindings(root);
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain("'Dockerfile' is a binary file");
  });

  it('skips a file over 10 MB', () => {
    const root = makeRepo({ 'compose.yaml': `services: {}\n${'#'.repeat(11 * 1024 * 1024)}\n` });
    const found = inputFindings(root);
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain('over the 10 MB limit');
  });

  it('reads invalid UTF-8 with a warning', () => {
    const bytes = Buffer.concat([
      Buffer.from('FROM alpine:3.20\n# caf'),
      Buffer.from([0xe9]),
      Buffer.from('\nUSER 1000\n'),
    ]);
    const root = makeRepo({ Dockerfile: bytes });
    const found = inputFindings(root);
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain("'Dockerfile' line 2 is not valid UTF-8");
  });

  it('detects a symbolic link loop', () => {
    const root = makeRepo({ 'app/Dockerfile': GOOD_DOCKERFILE });
    symlinkSync(join(root, 'app'), join(root, 'app', 'again'));
    const found = inputFindings(root);
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain('symbolic link loop');
  });

  it('skips links that leave the audited folder', () => {
    const outside = makeRepo({ Dockerfile: 'FROM node\n' });
    const root = makeRepo({ 'app/Dockerfile': GOOD_DOCKERFILE });
    symlinkSync('/', join(root, 'rootlink'));
    symlinkSync(join(outside, 'Dockerfile'), join(root, 'Dockerfile'));
    const found = inputFindings(root);
    expect(found.map((finding) => finding.location?.path).sort()).toEqual([
      'Dockerfile',
      'rootlink',
    ]);
    expect(found[0]!.message).toContain('points outside the audited folder');
    expect(auditPath(root).findings.some((f) => f.ruleId === 'DF001')).toBe(false);
  });

  it('reads no outside-linked compose file', () => {
    const outside = makeRepo({
      shadow: 'root:OUTSIDE-MARKER:19000:0:99999:7:::\n',
      'context/Dockerfile': 'FROM node\nRUN echo OUTSIDE-MARKER\n',
      'users.acl': 'user default on nopass ~* +@all\n',
    });
    const root = makeRepo({
      'compose.yaml': [
        'services:',
        '  app:',
        '    build: ./app',
        '  worker:',
        '    build: ./worker',
        '  cache:',
        '    image: redis:7.2',
        '    command: redis-server --aclfile /etc/redis/users.acl',
        '    volumes:',
        '      - ./users.acl:/etc/redis/users.acl',
        '',
      ].join('\n'),
    });
    mkdirSync(join(root, 'app'));
    symlinkSync(join(outside, 'shadow'), join(root, 'app', 'Dockerfile'));
    symlinkSync(join(outside, 'context'), join(root, 'worker'));
    symlinkSync(join(outside, 'users.acl'), join(root, 'users.acl'));

    const result = auditPath(root);
    expect(JSON.stringify(result.findings)).not.toContain('OUTSIDE-MARKER');
    expect([...result.files.keys()].sort()).toEqual(['compose.yaml']);
    expect(result.findings.some((finding) => finding.ruleId === 'RD001')).toBe(false);
    expect(
      result.findings
        .filter((finding) => finding.ruleId === 'IP002')
        .map((finding) => finding.location?.path)
        .sort(),
    ).toEqual(['app/Dockerfile', 'users.acl', 'worker']);
  });

  it('follows links that stay inside the folder', () => {
    const root = makeRepo({ 'shared/Dockerfile': 'FROM node\n' });
    symlinkSync(join(root, 'shared'), join(root, 'app'));
    const paths = auditPath(root).findings.map((f) => f.location?.path);
    expect(paths).toContain('app/Dockerfile');
  });

  it('reports an unreadable file and exits 2', () => {
    const root = makeRepo({
      'api/Dockerfile': GOOD_DOCKERFILE,
      'db/pg_hba.conf': 'hostssl all all 0.0.0.0/0 scram-sha-256\n',
    });
    chmodSync(join(root, 'db', 'pg_hba.conf'), 0o000);
    chmodSync(root, 0o755);
    // Root reads any file, so the CLI runs as `nobody` when the tests run as root.
    const prefix =
      process.getuid?.() === 0
        ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']
        : [];
    const result = runCli(['audit', root, '--only', 'IP002'], { prefix });
    expect(result.stdout).toContain("cannot read 'db/pg_hba.conf' (EACCES)");
    expect(result.status).toBe(2);
  });

  it('names an audited folder it cannot read', () => {
    const parent = makeRepo({ 'locked/Dockerfile': GOOD_DOCKERFILE });
    chmodSync(parent, 0o755);
    chmodSync(join(parent, 'locked'), 0o000);
    const prefix =
      process.getuid?.() === 0
        ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']
        : [];
    const result = runCli(['audit', join(parent, 'locked')], { prefix });
    expect(result.stderr).toContain('cannot read the folder');
    expect(result.stderr).toContain('(EACCES)');
    expect(result.stderr).not.toContain('.infraprime.yml');
    expect(result.status).toBe(2);
  });

  it('continues past a folder it cannot list', () => {
    const root = makeRepo({ 'api/Dockerfile': GOOD_DOCKERFILE });
    mkdirSync(join(root, 'secret'));
    writeFileSync(join(root, 'secret', 'compose.yaml'), 'services: {}\n');
    chmodSync(join(root, 'secret'), 0o000);
    chmodSync(root, 0o755);
    const prefix =
      process.getuid?.() === 0
        ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']
        : [];
    const result = runCli(['audit', root, '--format', 'json'], { prefix });
    const report = JSON.parse(result.stdout);
    expect(
      report.findings.some((f: { message: string }) =>
        f.message.includes("cannot read 'secret' (EACCES)"),
      ),
    ).toBe(true);
    chmodSync(join(root, 'secret'), 0o755);
  });

  it.each([
    ['a missing folder', '/nonexistent/infraprime/report.json', 'ENOENT'],
    ['a folder', '/tmp', 'EISDIR'],
  ])('rejects --output in %s with exit 2', (_, output, code) => {
    const root = makeRepo({ Dockerfile: GOOD_DOCKERFILE });
    const result = runCli(['audit', root, '--format', 'json', '-o', output]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`cannot write the report to '${output}' (${code})`);
    expect(result.stderr).not.toContain('    at ');
  });

  it('stops quietly when the output pipe closes', () => {
    const files: Record<string, string> = {};
    for (let index = 0; index < 200; index++) files[`app${index}/Dockerfile`] = 'FROM node\n';
    const root = makeRepo(files);
    const result = spawnSync(
      'sh',
      ['-c', `"${process.execPath}" "${BIN}" audit "${root}" --format json | head -c 10`],
      {
        encoding: 'utf8',
      },
    );
    expect(result.stdout).toBe('{\n  "schem');
    expect(result.stderr).not.toContain('EPIPE');
    expect(result.stderr).not.toContain('    at ');
  });
});

describe('configuration errors', () => {
  it('rejects an alias bomb in .infraprime.yml', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level < 12; level++) {
      lines.push(
        `a${level}: &a${level} [${Array(10)
          .fill(`*a${level - 1}`)
          .join(', ')}]`,
      );
    }
    lines.push('rules: *a11');
    const root = makeRepo({
      Dockerfile: GOOD_DOCKERFILE,
      '.infraprime.yml': `${lines.join('\n')}\n`,
    });
    const result = runCli(['audit', root]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("cannot read '");
    expect(result.stderr).toContain('Excessive alias count');
    expect(result.stderr).not.toContain('    at ');
  });

  it('names a file passed as the audit path', () => {
    const root = makeRepo({ Dockerfile: GOOD_DOCKERFILE });
    const result = runCli(['audit', join(root, 'Dockerfile')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("Dockerfile' is a file, not a folder");
    expect(result.stderr).not.toContain('configuration file');
  });

  it('gives the cause of an unreadable configuration', () => {
    const root = makeRepo({ Dockerfile: GOOD_DOCKERFILE, '.infraprime.yml': 'ignore: []\n' });
    chmodSync(join(root, '.infraprime.yml'), 0o000);
    chmodSync(root, 0o755);
    // Root reads any file, so the CLI runs as `nobody` when the tests run as root.
    const prefix =
      process.getuid?.() === 0
        ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']
        : [];
    const result = runCli(['audit', root], { prefix });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("cannot read the configuration file '");
    expect(result.stderr).toContain('(EACCES)');
  });

  it.each([
    ['an invalid setting', 'rules: 5\n'],
    ['invalid YAML', 'rules: [\n'],
  ])('points %s at the README section', (_, text) => {
    const root = makeRepo({ Dockerfile: GOOD_DOCKERFILE, '.infraprime.yml': text });
    const result = runCli(['audit', root]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('"Configuration and suppressions"');
    expect(result.stderr).not.toContain('docs/configuration.md');
  });
});
