import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditPath } from '../src/audit/engine.js';
import type { Finding } from '../src/finding/finding.js';

// The awesome-compose sample projects are read in place from ../shared/corpus/awesome-compose.
// Nothing from them is copied into this repository.
const CORPUS = join(import.meta.dirname, '../../shared/corpus/awesome-compose');
const present = existsSync(CORPUS);
if (!present) console.warn(`awesome-compose corpus tests skipped: ${CORPUS} does not exist`);

/** Projects whose findings were reviewed one by one, with the notes in docs/corpus.md. */
const REVIEWED = ['nginx-golang-postgres', 'nginx-nodejs-redis', 'react-express-mysql'];

/**
 * Files of the corpus that are malformed, so a parse-error finding (IP001) on them is correct.
 * Every file of the corpus parses today.
 */
const MALFORMED_FILES: string[] = [];

/** Formats a finding as one line: location with its end, rule, severity and message. */
function formatFinding(finding: Finding): string {
  const at = finding.location;
  const where = at
    ? `${at.path}:${at.startLine}:${at.startColumn}-${at.endLine}:${at.endColumn}`
    : '(no location)';
  return `${where}  ${finding.ruleId}  ${finding.severity}  ${finding.message}`;
}

function projectsOf(folder: string): string[] {
  return readdirSync(folder)
    .filter((name) => statSync(join(folder, name)).isDirectory())
    .sort();
}

describe.skipIf(!present)('awesome-compose corpus', () => {
  it.each(REVIEWED)('keeps the reviewed findings of %s', async (project) => {
    const { findings } = auditPath(join(CORPUS, project));
    const text = `${findings.map(formatFinding).join('\n')}\n`;
    await expect(text).toMatchFileSnapshot(`__snapshots__/corpus/${project}.txt`);
  });

  it('audits each project without a rule crash', () => {
    for (const project of projectsOf(CORPUS)) {
      const { findings } = auditPath(join(CORPUS, project));
      const crashes = findings
        .filter((finding) => finding.kind === 'input-error')
        .map(formatFinding);
      expect(crashes, project).toEqual([]);
    }
  });

  it('audits the whole corpus without a crash', () => {
    const { findings, kinds } = auditPath(CORPUS);
    const inputErrors = findings.filter((finding) => finding.kind === 'input-error');
    expect(inputErrors.map(formatFinding)).toEqual([]);

    const byKind: Record<string, number> = {};
    for (const kind of kinds.values()) byKind[kind] = (byKind[kind] ?? 0) + 1;
    expect(byKind).toEqual({ compose: 39, dockerfile: 35, dockerignore: 7, env: 4, nginx: 8 });
  });

  it('reports parse errors only on malformed files', () => {
    const { findings } = auditPath(CORPUS);
    const parsePaths = findings
      .filter((finding) => finding.kind === 'parse-error')
      .map((finding) => finding.location?.path ?? '');
    expect([...new Set(parsePaths)].sort()).toEqual(MALFORMED_FILES);
  });
});
