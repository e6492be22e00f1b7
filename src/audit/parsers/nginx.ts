import type { NginxConfig } from '../model/types.js';
import type { SourceFile } from '../source.js';

/**
 * Resolves an `include` argument written in `fromFile` to repository paths, mapping container
 * paths through the mounts of the service that loads the configuration.
 */
export type IncludeResolver = (pattern: string, fromFile: SourceFile) => SourceFile[];

// Stub: replaced by the real parser.
export function parseNginx(entry: SourceFile, resolveInclude: IncludeResolver): NginxConfig {
  void resolveInclude;
  return { entry, directives: [], files: [entry], issues: [] };
}
