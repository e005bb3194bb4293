import { spawnSync } from 'node:child_process';
import { findSocat } from '../../src/transport/pty-pair.js';

/**
 * The socat binary, or a failing test that says how to install it. Never a silent skip: a
 * serial test that does not run proves nothing. (`npm test` installs it when it can.)
 */
export async function requireSocat(): Promise<string> {
  const socat = await findSocat();
  if (!socat) throw new Error('socat is not installed; run `npm test` as root, or: sudo apt-get install -y socat');
  return socat;
}

/**
 * The path of a system program from scripts/test-tools.mjs, or a failing test that names the
 * Debian package to install. Looked up with `command -v` (fixed script, name as an argument).
 */
export function requireTool(command: string, debianPackage: string): string {
  const found = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], { encoding: 'utf8' }).stdout.trim();
  if (!found) throw new Error(`${command} is not installed; run \`npm test\` as root, or: sudo apt-get install -y ${debianPackage}`);
  return found;
}
