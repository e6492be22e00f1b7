import type { Dockerfile } from '../model/types.js';
import type { SourceFile } from '../source.js';

// Stub: replaced by the real parser.
export function parseDockerfile(file: SourceFile): Dockerfile {
  return {
    file,
    escapeChar: '\\',
    globalArgs: [],
    instructions: [],
    stages: [],
    issues: [],
    userOf: () => ({ value: 'root', isRoot: true }),
  };
}
