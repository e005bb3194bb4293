/** Finding system tools the probe tests need, without a shell. */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

const SBIN = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** Absolute path of `command` on PATH (plus the sbin dirs), or null. */
export async function which(command: string): Promise<string | null> {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...SBIN];
  for (const dir of dirs) {
    const path = join(dir, command);
    try {
      await access(path, constants.X_OK);
      return path;
    } catch {
      // next
    }
  }
  return null;
}

/** Throws an error naming the Debian package to install for each missing tool. */
export async function requireTools(tools: Record<string, string>): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  const missing: string[] = [];
  for (const [command, pkg] of Object.entries(tools)) {
    const path = await which(command);
    if (path === null) missing.push(`${command} (apt-get install ${pkg})`);
    else found[command] = path;
  }
  if (missing.length > 0) throw new Error(`missing test tools: ${missing.join(', ')}`);
  return found;
}
