#!/usr/bin/env node
// Bundles the `infraprime` command and the audit worker after `tsc` has checked and compiled
// the sources. Node's module loader resolves and links every file of the audit's ~130 modules
// on each start, which took about a third of a one-project audit; one entry file with shared
// chunks starts in about half the time. Packages stay in node_modules, and the console's
// modules sit in chunks that load only for the commands that use them.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
rmSync(join(root, 'dist', 'chunks'), { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts', 'src/audit/worker.ts'],
  outdir: 'dist',
  outbase: 'src',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
