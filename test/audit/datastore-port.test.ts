import { describe, expect, it } from 'vitest';
import { auditPath } from '../../src/audit/engine.js';
import { makeRepo } from '../cli/run-cli.js';

function portMessages(port: string): string[] {
  const root = makeRepo({
    'compose.yaml': `services:\n  db:\n    image: postgres:16\n    ports:\n      - "${port}"\n`,
  });
  return auditPath(root)
    .findings.filter((finding) => finding.ruleId === 'DC005')
    .map((finding) => finding.message.replace(/^.* as /, ''));
}

describe('DC005 host address in the message', () => {
  it.each([
    ['[::1]:5434:5432', '[::1]:5434'],
    ['127.0.0.1:5434:5432', '127.0.0.1:5434'],
    ['5434:5432', '5434'],
  ])('writes %s as %s', (port, written) => {
    expect(portMessages(port)).toEqual([written]);
  });
});
