import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The path of a system program the tests drive (listed in scripts/test-tools.mjs), or an error
 * that names the Debian package: never a silent skip, a test that does not run proves nothing.
 */
export function requireCommand(command: string, debianPackage: string): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, command);
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new Error(`${command} is not installed; run \`npm test\` as root, or: sudo apt-get install -y ${debianPackage}`);
}
