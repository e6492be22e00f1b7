import type { KeyValueConf, PgHbaFile } from '../model/types.js';
import type { SourceFile } from '../source.js';

// Stub: replaced by the real parsers.
export function parseKeyValueConf(file: SourceFile, kind: 'postgresql' | 'redis'): KeyValueConf {
  return { file, kind, entries: [], issues: [] };
}

export function parsePgHba(file: SourceFile): PgHbaFile {
  return { file, entries: [], issues: [] };
}
