import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { loadAcceptancesFile } from '../../src/vulns/acceptances-file.js';
import { applyReportLocally, loadLocalState, saveLocalState } from '../../src/vulns/local-state.js';
import type { NormalizedReport } from '../../src/vulns/types.js';
import { observed } from './helpers.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'infraprime-state-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function report(vulns = [observed()]): NormalizedReport {
  return {
    scanner: 'trivy',
    format: 'trivy-v2',
    scannerVersion: null,
    artifactName: 'team/api:1',
    imageRepository: 'team/api',
    imageDigest: null,
    createdAt: null,
    vulnerabilities: vulns,
  };
}

describe('local gate state', () => {
  test('keeps first-seen times across runs', () => {
    const path = join(tempDir(), 'nested', 'state.json');
    const first = new Date('2026-01-01T00:00:00Z');
    const state = loadLocalState(path);
    applyReportLocally(state, report(), 'team/api', first);
    saveLocalState(path, state);

    const later = loadLocalState(path);
    const seen = applyReportLocally(later, report(), 'team/api', new Date('2026-02-01T00:00:00Z'));
    expect(seen).toHaveLength(1);
    expect(seen[0]?.firstSeenAt).toEqual(first);
  });

  test('rejects a corrupt state file with a fix', () => {
    const path = join(tempDir(), 'state.json');
    writeFileSync(path, '{"version": 7}');
    expect(() => loadLocalState(path)).toThrow(/unknown format; delete it to start over/);
  });
});

describe('acceptances file', () => {
  test('reads YAML acceptances', () => {
    const path = join(tempDir(), 'acceptances.yml');
    writeFileSync(
      path,
      'acceptances:\n  - vulnId: CVE-2026-1\n    image: team/api\n    reason: not reachable\n    expires: 2027-01-31\n',
    );
    const [acceptance] = loadAcceptancesFile(path);
    expect(acceptance).toMatchObject({ vulnId: 'CVE-2026-1', imageRepository: 'team/api' });
    expect(acceptance?.expiresAt.toISOString()).toBe('2027-01-31T00:00:00.000Z');
  });

  test('requires a reason', () => {
    const path = join(tempDir(), 'acceptances.yml');
    writeFileSync(path, 'acceptances:\n  - vulnId: CVE-2026-1\n    expires: 2027-01-31\n');
    expect(() => loadAcceptancesFile(path)).toThrow(/acceptances\[0\]: `reason` is required/);
  });
});
