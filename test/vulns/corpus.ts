import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The scan-report corpus lives in the `shared` folder beside the repository. */
export const SCAN_REPORTS_DIR =
  process.env.INFRAPRIME_SCAN_REPORTS_DIR ?? join(repoRoot, '../shared/corpus/scan-reports');

export interface CorpusEntry {
  file: string;
  scanner: 'trivy' | 'grype';
  total: number;
  /** Counts by the scanner's own severity word; '' counts matches with no severity. */
  bySeverity: Record<string, number>;
}

const TRIVY_ORDER = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];
const GRYPE_ORDER = ['Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown'];

function parseRow(cells: string[], column: number, scanner: CorpusEntry['scanner']) {
  const file = /`([^`]+)`/.exec(cells[0] ?? '')?.[1];
  const match = /\**(\d+)\**(?: \(([\d/]+)\))?(.*plus (\d+) match with no `severity`)?/.exec(
    cells[column] ?? '',
  );
  if (!file || !match) return null;
  const order = scanner === 'trivy' ? TRIVY_ORDER : GRYPE_ORDER;
  const numbers = (match[2] ?? '').split('/').filter(Boolean).map(Number);
  const bySeverity: Record<string, number> = {};
  order.forEach((word, index) => {
    if ((numbers[index] ?? 0) > 0) bySeverity[word] = numbers[index] as number;
  });
  const missing = Number(match[4] ?? 0);
  if (missing > 0) bySeverity[''] = missing;
  return { file: `${scanner}/${file}`, scanner, total: Number(match[1]), bySeverity };
}

/** Reads the expected counts from the tables of the corpus's SOURCE.md. */
export function readCorpusEntries(): CorpusEntry[] {
  const text = readFileSync(join(SCAN_REPORTS_DIR, 'SOURCE.md'), 'utf8');
  const entries: CorpusEntry[] = [];
  let scanner: CorpusEntry['scanner'] | null = null;
  let column = -1;
  for (const line of text.split('\n')) {
    if (line.startsWith('## Trivy')) scanner = 'trivy';
    if (line.startsWith('## Grype')) scanner = 'grype';
    if (!line.startsWith('|') || !scanner) continue;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    const header = cells.findIndex((cell) => cell.startsWith('vulns: total'));
    if (header >= 0) column = header;
    if (column < 0 || header >= 0 || cells[0]?.startsWith('---')) continue;
    const entry = parseRow(cells, column, scanner);
    if (entry && existsSync(join(SCAN_REPORTS_DIR, entry.file))) entries.push(entry);
  }
  return entries;
}
