import type { ComposeProject, YamlFile } from '../model/types.js';
import type { ReadContext } from './context.js';

// Stub: replaced by the real loader.
/** Loads one compose project from its files in `docker compose -f` order. */
export function loadComposeProject(files: YamlFile[], dir: string, context: ReadContext): ComposeProject {
  void context;
  return { dir, files, services: [], networks: {}, volumes: {}, secrets: {}, issues: [] };
}
