import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { ROOT } from './loopback.js';

interface AuditFinding {
  ruleId: string;
  severity: string;
  message: string;
  location?: { path: string; startLine?: number };
}

function audit(args: string[]): AuditFinding[] {
  const result = runCli(['audit', ...args, '--format', 'json', '--fail-on', 'info'], { cwd: ROOT });
  expect(result.stderr).toBe('');
  const report = JSON.parse(result.stdout) as { findings: AuditFinding[] };
  return report.findings;
}

function describeFindings(findings: AuditFinding[]): string {
  return findings
    .map(
      (finding) =>
        `${finding.location?.path}:${finding.location?.startLine} ${finding.ruleId} ${finding.message}`,
    )
    .join('\n');
}

describe('audit of the deployment', () => {
  it('finds nothing in deploy/', () => {
    const findings = audit(['deploy']);
    expect(findings, describeFindings(findings)).toEqual([]);
  });

  // The rule fixtures under test/ are deliberate misconfigurations, so the repository's
  // .infraprime.yml leaves them out, and the audit job in .github/workflows/ci.yml runs from the
  // root with it and fails on any finding.
  it('finds nothing from the root', () => {
    const findings = audit(['.']);
    expect(findings, describeFindings(findings)).toEqual([]);
    const config = readFileSync(join(ROOT, '.infraprime.yml'), 'utf8');
    expect(config).toContain('- test/');
    const workflow = readFileSync(join(ROOT, '.github', 'workflows', 'ci.yml'), 'utf8');
    expect(workflow, 'the CI job audits the root').toContain('infraprime audit . --format sarif');
  });
});
