import type { EnvFile } from '../model/types.js';
import type { SourceFile } from '../source.js';

// Stub: replaced by the real parser.
export function parseEnvFile(file: SourceFile): EnvFile {
  return { file, entries: [], issues: [] };
}
