import { describe, expect, it } from 'vitest';
import { auditPath } from '../../src/audit/engine.js';
import { makeRepo } from '../cli/run-cli.js';

function sudoAdvice(run: string): string[] {
  const root = makeRepo({ Dockerfile: `FROM debian:12\nUSER app\n${run}\n` });
  return auditPath(root)
    .findings.filter((finding) => finding.ruleId === 'DF020')
    .map((finding) => finding.message.replace(/^.*; /, ''));
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
  ])('%s: switch with USER %s', (run, user) => {
    expect(sudoAdvice(run)).toEqual([`switch with \`USER ${user}\` for this step instead.`]);
  });
});
