import { execFileSync } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/audit/config.js';
import { auditPath } from '../../src/audit/engine.js';
import { allRules } from '../../src/audit/rules/registry.js';
import { defineRule, type Rule } from '../../src/audit/rules/rule.js';
import { UsageError } from '../../src/cli/errors.js';
import { makeRepo } from '../cli/run-cli.js';

/** Reports every `RUN` line of every Dockerfile, so tests control where findings appear. */
const everyRun: Rule = defineRule({
  id: 'DF999',
  name: 'every-run',
  title: 'Test rule reporting each RUN line',
  severity: 'medium',
  layer: 'container',
  target: 'dockerfile',
  control: 'container.test',
  status: 'stable',
  rationale: 'Exists only in tests.',
  fix: 'None.',
  references: [],
  check(model, report) {
    for (const dockerfile of model.dockerfiles) {
      dockerfile.file.lines.forEach((line, index) => {
        if (line.startsWith('RUN'))
          report({ message: `run at ${index + 1}`, location: dockerfile.file.lineAt(index + 1) });
      });
    }
  },
});

function audit(root: string, now = new Date('2026-12-04T00:00:00Z'), noIgnore = false) {
  const config = loadConfig(root, undefined, [...allRules, everyRun]);
  return auditPath(root, { rules: [everyRun], config, now, noIgnore }).findings;
}

const DOCKERFILE = [
  'FROM alpine:3.20',
  '# infraprime-ignore DF999 the mirror needs it',
  'RUN apk add --no-cache curl',
  'RUN echo two # infraprime-ignore every-run trailing comment with name',
  '# infraprime-ignore DF999',
  'RUN echo three',
  'RUN echo four',
  '',
].join('\n');

describe('suppressions', () => {
  it('applies inline comments with a reason', () => {
    const findings = audit(makeRepo({ Dockerfile: DOCKERFILE }));
    const byLine = new Map(
      findings.filter((f) => f.ruleId === 'DF999').map((f) => [f.location!.startLine, f]),
    );
    expect(byLine.get(3)?.suppression).toEqual({ kind: 'inline', reason: 'the mirror needs it' });
    expect(byLine.get(4)?.suppression).toEqual({
      kind: 'inline',
      reason: 'trailing comment with name',
    });
    expect(byLine.get(6)?.suppression).toBeUndefined();
    expect(byLine.get(7)?.suppression).toBeUndefined();
  });

  it('reports a suppression without a reason', () => {
    const findings = audit(makeRepo({ Dockerfile: DOCKERFILE }));
    const notice = findings.filter((f) => f.ruleId === 'IP003');
    expect(notice).toHaveLength(1);
    expect(notice[0]!.location?.startLine).toBe(5);
  });

  it('shows everything with noIgnore', () => {
    const findings = audit(makeRepo({ Dockerfile: DOCKERFILE }), undefined, true);
    expect(findings.filter((f) => f.suppression)).toHaveLength(0);
  });

  it('honours accepted findings until they expire', () => {
    const root = makeRepo({
      Dockerfile: 'FROM alpine:3.20\nRUN echo one\n',
      'sub/Dockerfile': 'FROM alpine:3.20\nRUN echo two\n',
      '.infraprime-accepted.yml': [
        '- rule: DF999',
        '  path: Dockerfile',
        '  reason: tracked in the platform backlog',
        '  expires: 2027-01-31',
        '',
      ].join('\n'),
    });
    const before = audit(root, new Date('2027-01-31T12:00:00Z'));
    const top = before.find((f) => f.location?.path === 'Dockerfile' && f.ruleId === 'DF999');
    expect(top?.suppression).toEqual({
      kind: 'accepted',
      reason: 'tracked in the platform backlog',
      expires: '2027-01-31',
    });
    expect(before.find((f) => f.location?.path === 'sub/Dockerfile')?.suppression).toBeUndefined();
    expect(before.some((f) => f.ruleId === 'IP004')).toBe(false);

    const after = audit(root, new Date('2027-02-01T00:00:01Z'));
    expect(
      after.find((f) => f.location?.path === 'Dockerfile' && f.ruleId === 'DF999')?.suppression,
    ).toBeUndefined();
    const notice = after.filter((f) => f.ruleId === 'IP004');
    expect(notice).toHaveLength(1);
    expect(notice[0]!.location).toMatchObject({ path: '.infraprime-accepted.yml', startLine: 1 });
  });
});

describe('configuration', () => {
  it('disables a rule and changes a severity', () => {
    const root = makeRepo({ Dockerfile: 'FROM alpine:3.20\nRUN echo one\n' });
    writeFileSync(join(root, '.infraprime.yml'), 'rules:\n  DF999: high\n');
    expect(audit(root).find((f) => f.ruleId === 'DF999')?.severity).toBe('high');
    writeFileSync(join(root, '.infraprime.yml'), 'rules:\n  every-run: off\n');
    expect(audit(root).filter((f) => f.ruleId === 'DF999')).toHaveLength(0);
  });

  it('ignores paths by glob', () => {
    const root = makeRepo({
      Dockerfile: 'FROM alpine:3.20\nRUN echo one\n',
      'examples/Dockerfile': 'FROM alpine:3.20\nRUN echo two\n',
      '.infraprime.yml': 'ignore:\n  - "examples/**"\n',
    });
    const paths = audit(root).map((f) => f.location?.path);
    expect(paths).toContain('Dockerfile');
    expect(paths).not.toContain('examples/Dockerfile');
  });

  it('ignores a path that a compose file builds', () => {
    const root = makeRepo({
      'compose.yaml': 'services:\n  app:\n    build: ./vendor/app\n',
      'vendor/app/Dockerfile': 'FROM alpine:3.20\nRUN sudo echo two\n',
      '.infraprime.yml': 'ignore:\n  - "vendor/**"\n',
    });
    const paths = auditPath(root, { config: loadConfig(root) }).findings.map(
      (f) => f.location?.path,
    );
    expect(paths).toContain('compose.yaml');
    expect(paths.filter((path) => path?.startsWith('vendor/'))).toEqual([]);
  });

  it.each(['test/', 'test'])('ignores a folder written as %s', (entry) => {
    const root = makeRepo({
      Dockerfile: 'FROM alpine:3.20\nRUN echo one\n',
      'test/fixtures/Dockerfile': 'FROM alpine:3.20\nRUN echo two\n',
      '.infraprime.yml': `ignore:\n  - "${entry}"\n`,
    });
    const paths = audit(root).map((f) => f.location?.path);
    expect(paths).toContain('Dockerfile');
    expect(paths).not.toContain('test/fixtures/Dockerfile');
  });

  it('names the file and line of an invalid setting', () => {
    const root = makeRepo({ '.infraprime.yml': 'ignore: []\nrules:\n  DF001: loud\n' });
    expect(() => loadConfig(root)).toThrow(UsageError);
    expect(() => loadConfig(root)).toThrow(
      /\.infraprime\.yml:3: rules\.DF001 must be off, a severity/,
    );
  });

  it.each([
    ['a plain word', 'foo\n', /the file must be a list of accepted findings/],
    ['an unknown key', 'acepted: []\n', /acepted is not a known key \(accepted\)/],
  ])('rejects an accepted-findings file with %s', (_case, text, message) => {
    const root = makeRepo({ '.infraprime-accepted.yml': text });
    expect(() => loadConfig(root)).toThrow(message);
  });

  it('rejects config linked from outside', () => {
    const outside = makeRepo({ 'secret.yml': 'db_password: hunter2\n' });
    const root = makeRepo({ Dockerfile: 'FROM alpine:3.20\n' });
    symlinkSync(join(outside, 'secret.yml'), join(root, '.infraprime.yml'));
    expect(() => loadConfig(root)).toThrow(/is a symbolic link out of the audited folder/);
    expect(() => loadConfig(root)).not.toThrow(/db_password/);
    // A file given with --config is read wherever it is.
    expect(() => loadConfig(root, join(outside, 'secret.yml'))).toThrow(
      /db_password is not a known key/,
    );
  });

  it('names a dangling config link', () => {
    const root = makeRepo({ Dockerfile: 'FROM alpine:3.20\n' });
    symlinkSync(join(root, 'gone.yml'), join(root, '.infraprime.yml'));
    expect(() => loadConfig(root)).toThrow(/is a link to a missing file/);
  });

  it('config link loop help', () => {
    const root = makeRepo({ Dockerfile: 'FROM alpine:3.20\n' });
    symlinkSync(join(root, '.infraprime.yml'), join(root, '.infraprime.yml'));
    let help = '';
    try {
      loadConfig(root);
    } catch (error) {
      help = (error as UsageError).help ?? '';
    }
    expect(help).toBe('fix or remove the file');
  });

  it('rejects a FIFO config without blocking', () => {
    const root = makeRepo({ Dockerfile: 'FROM alpine:3.20\n' });
    execFileSync('mkfifo', [join(root, '.infraprime-accepted.yml')]);
    expect(() => loadConfig(root)).toThrow(/is not a regular file/);
  });

  it.each([
    [
      'an empty compose project',
      'compose-projects:\n  - []\n',
      /compose-projects\.0 must name at least one compose file/,
    ],
    ['tagged rule settings', 'rules: !!set {DC009}\n', /rules must map rule ids/],
    ['two documents', 'ignore: []\n---\nignore: []\n', /contains a second YAML document at line 2/],
  ])('rejects %s', (_case, text, message) => {
    const root = makeRepo({ '.infraprime.yml': text });
    expect(() => loadConfig(root)).toThrow(message);
  });

  it('rejects a tagged value as the whole configuration', () => {
    const root = makeRepo({ '.infraprime.yml': '!!binary AAAA\n' });
    expect(() => loadConfig(root)).toThrow(/\.infraprime\.yml:1: the file must be a mapping/);
  });

  it('names unreadable compose-projects path', () => {
    const root = makeRepo({
      'compose.yaml': 'services:\n  app:\n    image: nginx:1.27\n',
      '.infraprime.yml': 'compose-projects:\n  - [compose.yaml, nope.yaml]\n',
    });
    const errors = auditPath(root, { config: loadConfig(root) }).findings.filter(
      (finding) => finding.kind === 'input-error',
    );
    expect(errors.map((finding) => finding.location?.path)).toEqual(['nope.yaml']);
    expect(errors[0]!.message).toContain('listed under compose-projects');
  });

  it('requires a reason on accepted findings', () => {
    const root = makeRepo({ '.infraprime-accepted.yml': '- rule: DF001\n  expires: 2027-01-01\n' });
    expect(() => loadConfig(root)).toThrow(/reason is missing/);
  });

  it('rejects unknown keys', () => {
    const root = makeRepo({ '.infraprime.yml': 'rule:\n  DF001: off\n' });
    expect(() => loadConfig(root)).toThrow(/rule is not a known key/);
  });

  it.each(['HIGH', 'High', 'high'])('accepts fail-on %s in any case', (value) => {
    const root = makeRepo({ '.infraprime.yml': `fail-on: ${value}\nrules:\n  DF001: LOW\n` });
    const config = loadConfig(root);
    expect(config.failOn).toBe('high');
    expect(config.rules.DF001?.severity).toBe('low');
  });

  it('rejects unknown rule ids', () => {
    const root = makeRepo({ '.infraprime.yml': 'rules:\n  DF001: off\n  DF9999: off\n' });
    expect(() => loadConfig(root)).toThrow(
      /\.infraprime\.yml:3: rules\.DF9999 is not a known rule/,
    );
    expect(() => loadConfig(root)).toThrow(
      expect.objectContaining({ help: expect.stringContaining('infraprime rules') }),
    );
  });
});

/** Loads an accepted-findings file whose one entry has the given extra lines. */
function loadAcceptance(...lines: string[]) {
  const entry = ['- rule: DF001', '  reason: tracked in the backlog', ...lines, ''];
  return () => loadConfig(makeRepo({ '.infraprime-accepted.yml': entry.join('\n') }));
}

describe('accepted findings file', () => {
  it('rejects an unknown key', () => {
    const load = loadAcceptance('  expires: 2027-01-31', '  paht: Dockerfile');
    expect(load).toThrow(UsageError);
    expect(load).toThrow(/\.infraprime-accepted\.yml:4: 0\.paht is not a known key/);
    expect(load).toThrow(expect.objectContaining({ help: expect.stringContaining('path') }));
  });

  it('rejects a path that is a list', () => {
    const load = loadAcceptance('  expires: 2027-01-31', '  path: [Dockerfile]');
    expect(load).toThrow(/\.infraprime-accepted\.yml:4: 0\.path must be a file path/);
  });

  it('rejects a numeric fingerprint', () => {
    const load = loadAcceptance('  expires: 2027-01-31', '  fingerprint: 12345');
    expect(load).toThrow(/\.infraprime-accepted\.yml:4: 0\.fingerprint must be the fingerprint/);
  });

  it('rejects an unknown rule id', () => {
    const root = makeRepo({
      '.infraprime-accepted.yml': '- rule: DF9999\n  reason: typo\n  expires: 2027-01-31\n',
    });
    expect(() => loadConfig(root)).toThrow(/:1: 0\.rule 'DF9999' is not a known rule id/);
  });

  it.each(['"1"', '2027-02-30', '2027-13-01', '99999-12-31', '2027-1-5', '2027-01-31T00:00:00Z'])(
    'rejects the expiry date %s',
    (date) => {
      const load = loadAcceptance(`  expires: ${date}`);
      expect(load).toThrow(/\.infraprime-accepted\.yml:3: 0\.expires must be a date/);
    },
  );

  it('accepts a leap day', () => {
    const config = loadAcceptance('  expires: 2028-02-29')();
    expect(config.accepted[0]?.expires).toBe('2028-02-29');
  });

  it('matches a path written with ./', () => {
    const root = makeRepo({
      Dockerfile: 'FROM alpine:3.20\nRUN echo one\n',
      'sub/Dockerfile': 'FROM alpine:3.20\nRUN echo two\n',
      '.infraprime-accepted.yml': [
        '- rule: DF999',
        '  path: ./sub/Dockerfile',
        '  reason: tracked in the platform backlog',
        '  expires: 2027-01-31',
        '',
      ].join('\n'),
    });
    const findings = audit(root).filter((f) => f.ruleId === 'DF999');
    const sub = findings.find((f) => f.location?.path === 'sub/Dockerfile');
    const top = findings.find((f) => f.location?.path === 'Dockerfile');
    expect(sub?.suppression?.kind).toBe('accepted');
    expect(top?.suppression).toBeUndefined();
  });
});
