import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { ROOT } from './loopback.js';

interface AuditFinding {
  ruleId: string;
  severity: string;
  message: string;
  location?: { path: string; startLine?: number };
}

/** The configuration the audit job in .github/workflows/ci.yml writes before it runs. */
const CI_CONFIG = 'ignore: ["test/**", "src/**", "bench/**", "docs/**", "dist/**"]\n';

const configDir = mkdtempSync(join(tmpdir(), 'infraprime-audit-clean-'));

afterAll(() => rmSync(configDir, { recursive: true, force: true }));

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

  // The rule fixtures under test/ are deliberate misconfigurations, so the repository-wide run
  // ignores the same folders as the audit job in .github/workflows/ci.yml, which fails on any
  // finding.
  it('finds nothing from the root with the CI ignore list', () => {
    const config = join(configDir, 'infraprime.yml');
    writeFileSync(config, CI_CONFIG);
    const findings = audit(['.', '--config', config]);
    expect(findings, describeFindings(findings)).toEqual([]);
    const workflow = readFileSync(join(ROOT, '.github', 'workflows', 'ci.yml'), 'utf8');
    expect(workflow, 'the CI job uses the same ignore list').toContain(
      readFileSync(config, 'utf8').trim(),
    );
  });
});
