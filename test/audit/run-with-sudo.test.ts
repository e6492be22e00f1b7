import { describe, expect, it } from 'vitest';
import { auditPath } from '../../src/audit/engine.js';
import { makeRepo } from '../cli/run-cli.js';

/** Audits a Dockerfile and returns its DF020 findings. */
function sudoFindings(dockerfile: string) {
  return auditPath(makeRepo({ Dockerfile: dockerfile })).findings.filter(
    (finding) => finding.ruleId === 'DF020',
  );
}

function sudoAdvice(run: string): string[] {
  return sudoFindings(`FROM debian:12\nUSER app\n${run}\n`).map((finding) =>
    finding.message.replace(/^.*; /, ''),
  );
}

describe('DF020 advice names the user that sudo switches to', () => {
  it.each([
    ['RUN sudo apt-get install -y curl', 'root'],
    ['RUN sudo -u root make install', 'root'],
    ['RUN sudo -u 0 make install', 'root'],
    ['RUN sudo -u app make', 'app'],
    ['RUN sudo -uapp make', 'app'],
    ['RUN sudo --user=app make', 'app'],
    ['RUN sudo --user app make', 'app'],
    ['RUN sudo -E -u www-data -H php artisan migrate', 'www-data'],
    ['RUN sudo -Eu www whoami', 'www'],
    ['RUN sudo -nu www whoami', 'www'],
    ['RUN sudo --chdir /tmp -u www whoami', 'www'],
    ['RUN sudo -u www sudo whoami', 'root'],
    ["RUN sudo -u '#1000' whoami", '1000'],
    ["RUN sudo -u '#0' whoami", 'root'],
    ['RUN sudo -u www bash -c "whoami"', 'www'],
    ['RUN sudo -u www -g www make', 'www:www'],
    ["RUN sudo -u '#1000' -g '#1000' make", '1000:1000'],
    ['RUN ["sudo", "-u", "app", "whoami"]', 'app'],
  ])('%s: switch with USER %s', (run, user) => {
    expect(sudoAdvice(run)).toEqual([`switch with \`USER ${user}\` for this step instead.`]);
  });

  it('asks for the group alone when sudo changes only the group', () => {
    expect(sudoAdvice('RUN sudo -g staff whoami')).toEqual([
      'remove `sudo` and set the group with `USER <user>:staff` for this step instead.',
    ]);
  });

  it('reports sudo inside a sh -c script', () => {
    expect(sudoAdvice("RUN sudo sh -c 'apt-get update'")).toHaveLength(1);
  });

  it('reports one sudo script once', () => {
    expect(sudoAdvice("RUN sudo sh -c 'apt-get update && apt-get install -y curl'")).toHaveLength(
      1,
    );
    expect(sudoAdvice('RUN sudo apt-get update && sudo apt-get install -y curl')).toHaveLength(2);
  });

  it.each([
    "RUN bash -o pipefail -c 'sudo make'",
    'RUN bash -eo pipefail -c "sudo make"',
    "RUN bash -c -e 'sudo make'",
    "RUN bash --rcfile /etc/bashrc -c 'sudo make'",
    "RUN sh -ec -- 'sudo make'",
  ])('reports sudo in the script of %s', (run) => {
    expect(sudoAdvice(run)).toEqual(['switch with `USER root` for this step instead.']);
  });

  it.each(['RUN x=$(sudo make) && echo "$x"', 'RUN echo "$(sudo make)"', 'RUN echo `sudo make`'])(
    'reports sudo in the substitution of %s',
    (run) => {
      expect(sudoAdvice(run)).toEqual(['switch with `USER root` for this step instead.']);
    },
  );

  it('reads double-quoted substitution once', () => {
    const found = sudoFindings('FROM debian:12\nUSER app\nRUN sh -c "echo \\"hi\\" $(sudo id)"\n');
    expect(found.map((finding) => finding.evidence)).toEqual(['sudo id']);
    expect(found[0]!.location).toMatchObject({ startLine: 3, startColumn: 26, endColumn: 33 });
  });

  it('outer substitution runs without sudo', () => {
    const root = makeRepo({
      Dockerfile: 'FROM debian:12\nRUN sudo sh -c "echo \\"x\\" $(apt-get install -y curl)"\n',
    });
    const findings = auditPath(root).findings;
    expect(findings.filter((finding) => finding.ruleId === 'DF007')).toHaveLength(1);
    const sudo = findings.filter((finding) => finding.ruleId === 'DF020');
    expect(sudo.map((finding) => finding.evidence)).toEqual([
      'echo \\"x\\" $(apt-get install -y curl)',
    ]);
  });

  it.each([
    'RUN sh -c "echo \\$(sudo id)"',
    'RUN sh -c "echo \\`sudo id\\`"',
    'RUN sh -c "a"\'$(sudo id)\'',
  ])('reads inner substitution of %s', (run) => {
    expect(sudoAdvice(run)).toEqual(['switch with `USER root` for this step instead.']);
  });

  it('substitution drops command wrappers', () => {
    const found = sudoFindings('FROM debian:12\nUSER app\nRUN sudo echo $(make)\n');
    expect(found.map((finding) => finding.evidence)).toEqual(['sudo echo $(make)']);
  });

  it('reads no script from a shell without -c', () => {
    expect(sudoAdvice("RUN bash -o pipefail 'sudo make'")).toEqual([]);
  });

  it('names each exec-form sudo command', () => {
    const found = sudoFindings('FROM debian:12\nRUN ["sh", "-c", "sudo id; sudo whoami"]\n');
    expect(found.map((finding) => finding.evidence).sort()).toEqual(['sudo id', 'sudo whoami']);
    expect(new Set(found.map((finding) => finding.fingerprint)).size).toBe(2);
  });

  it('points into the JSON string of an exec-form script', () => {
    const [finding] = sudoFindings(
      'FROM debian:12\nRUN ["sh", "-c", "echo \\"x\\" && sudo -u www make"]\n',
    );
    expect(finding!.evidence).toBe('sudo -u www make');
    expect(finding!.location).toMatchObject({ startLine: 2, startColumn: 33, endColumn: 49 });
  });

  it('points across a line continuation in the string', () => {
    const [finding] = sudoFindings(
      'FROM debian:12\nRUN ["sh", "-c", "echo x && \\\n    sudo make"]\n',
    );
    expect(finding!.evidence).toBe('sudo make');
    expect(finding!.location).toMatchObject({ startLine: 3, startColumn: 5, endColumn: 14 });
  });

  it('counts JSON escapes when pointing into the string', () => {
    const line = 'RUN ["sh", "-c", "echo \\u0041\\\\ && sudo make"]';
    const [finding] = sudoFindings(`FROM debian:12\n${line}\n`);
    const { startColumn, endColumn } = finding!.location!;
    expect(line.slice(startColumn - 1, endColumn - 1)).toBe('sudo make');
  });

  it('shows the whole exec form, options included', () => {
    const [finding] = sudoFindings('FROM debian:12\nRUN ["sudo", "-u", "app", "id"]\n');
    expect(finding!.message.startsWith('`sudo -u app id` runs through `sudo`')).toBe(true);
  });
});

describe('commands behind sudo options', () => {
  it.each(['RUN sudo -Eu root apt-get install curl', 'RUN sudo --chdir /tmp apt-get install curl'])(
    '%s is read as apt-get',
    (run) => {
      const root = makeRepo({ Dockerfile: `FROM debian:12\n${run}\n` });
      const rules = auditPath(root).findings.map((finding) => finding.ruleId);
      expect(rules).toContain('DF007');
    },
  );

  it('keeps env assignments behind sudo', () => {
    const rulesOf = (run: string) =>
      auditPath(makeRepo({ Dockerfile: `FROM python:3.12-slim\n${run}\n` })).findings.map(
        (finding) => finding.ruleId,
      );
    expect(rulesOf('RUN pip install flask')).toContain('DF010');
    expect(rulesOf('RUN sudo env PIP_NO_CACHE_DIR=1 pip install flask')).not.toContain('DF010');
    expect(rulesOf('RUN PIP_NO_CACHE_DIR=1 pip install flask')).not.toContain('DF010');
    expect(rulesOf('RUN sudo PIP_NO_CACHE_DIR=1 pip install flask')).not.toContain('DF010');
  });

  it('reads the command after sudo assignments', () => {
    const rulesOf = (run: string) =>
      auditPath(makeRepo({ Dockerfile: `FROM debian:12\n${run}\n` })).findings.map(
        (finding) => finding.ruleId,
      );
    const plain = rulesOf('RUN sudo apt-get install -y curl');
    expect(plain).toContain('DF007');
    expect(rulesOf('RUN sudo DEBIAN_FRONTEND=noninteractive apt-get install -y curl')).toEqual(
      plain,
    );
  });
});
