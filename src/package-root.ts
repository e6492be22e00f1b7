import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder that contains InfraPrime's package.json. Modules run from src/ under the test runner,
 * from dist/ after `tsc`, and from bundle chunks in dist/chunks/ through the `infraprime`
 * command, so paths to the package's own files start here instead of at the module.
 */
export const PACKAGE_ROOT: string = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(start: string): string {
  let folder = start;
  for (;;) {
    if (existsSync(join(folder, 'package.json'))) return folder;
    const parent = dirname(folder);
    if (parent === folder) return start;
    folder = parent;
  }
}
