import { readFileSync } from 'node:fs';

/** The agent's version, from package.json (read once at start-up). */
export const version: string = (() => {
  for (const candidate of ['../../package.json', '../package.json']) {
    try {
      const parsed = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (parsed.name === 'posdiag' && parsed.version) return parsed.version;
    } catch {
      // not at this depth: source (src/) and compiled (dist/src/) differ by one level
    }
  }
  return '0.0.0-unknown';
})();
