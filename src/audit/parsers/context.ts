import type { SourceFile } from '../source.js';

/** Read access to the audited tree for parsers that follow references to other files. */
export interface ReadContext {
  /** Absolute path of the audit root. */
  root: string;
  /** Reads a file by repository path (forward slashes, relative to the root); undefined if absent. */
  read(repoPath: string): SourceFile | undefined;
  /** Lists repository paths that match a glob relative to the root, sorted. */
  glob(pattern: string): string[];
}
