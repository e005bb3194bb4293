/**
 * Where the embedded default config is. The compiled module runs from dist/src/config/ and the
 * source from src/config/ (tests), so instead of counting `..` the search walks up to the
 * package.json named posdiag, which is also right inside node_modules/posdiag/.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'posdiag';

/** The nearest directory at or above `start` whose package.json is named posdiag, or null. */
export function findPackageRoot(start: string): string | null {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && readName(manifest) === PACKAGE_NAME) return dir;
    if (path.dirname(dir) === dir) return null;
  }
}

function readName(manifest: string): unknown {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name;
  } catch {
    return undefined;
  }
}

let root: string | undefined;

/** The posdiag package directory. Throws when the installation is broken (no package.json). */
export function packageRoot(): string {
  if (root === undefined) {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const found = findPackageRoot(here);
    if (found === null) throw new Error(`cannot find posdiag's package.json above ${here}; the installation is incomplete`);
    root = found;
  }
  return root;
}

/** config/default.yaml of the installed package: simulated devices, no hardware needed. */
export function embeddedDefaultConfigPath(): string {
  return path.join(packageRoot(), 'config', 'default.yaml');
}
