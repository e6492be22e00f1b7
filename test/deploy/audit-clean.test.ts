import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

/** Files that must have no findings: the deployment, the image build context rules and CI. */
const OWNED = [/^deploy\//, /^\.github\/workflows\//, /^\.dockerignore$/];

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
  // ignores the same folders as the CI audit job and keeps only the files this suite owns.
  it('finds nothing in deploy/, .dockerignore or the workflows from the root', () => {
    const config = join(configDir, 'infraprime.yml');
    writeFileSync(config, 'ignore: [test/, src/, bench/, docs/, dist/]\n');
    const findings = audit(['.', '--config', config]).filter((finding) =>
      OWNED.some((pattern) => pattern.test(finding.location?.path ?? '')),
    );
    expect(findings, describeFindings(findings)).toEqual([]);
  });
});
