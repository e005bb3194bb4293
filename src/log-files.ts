/**
 * Log files with bounded disk use, for where there is no journal (macOS, Windows, or by
 * choice). pino-roll writes `posdiag.1.log`, `posdiag.2.log`, … beside the configured
 * `log.file: /var/log/posdiag/posdiag.log`, starts the next file at `maxSize`, and deletes the
 * oldest so that at most `maxFiles` files exist: the disk use is bounded by maxSize × maxFiles.
 */
import { readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface LogFileSettings {
  /** The configured name; rolled files are numbered between its name and extension. */
  file: string;
  maxSizeBytes: number;
  maxFiles: number;
}

type RollingStream = NodeJS.WritableStream & { flushSync(): void };
type PinoRoll = (options: Record<string, unknown>) => Promise<RollingStream>;

/**
 * The stream pino writes to. In-process (pino-roll is a plain SonicBoom stream), not pino's
 * worker-thread transport: a worker costs ~9 MB of RSS on a shop PC for nothing here.
 */
export async function openRollingFile(settings: LogFileSettings): Promise<RollingStream> {
  const pinoRoll = createRequire(import.meta.url)('pino-roll') as PinoRoll;
  return pinoRoll({
    file: settings.file,
    // pino-roll counts KB with "k"; whole KB are precise enough for a log limit.
    size: `${Math.max(1, Math.floor(settings.maxSizeBytes / 1024))}k`,
    mkdir: true,
    // removeOtherLogFiles also deletes files left by earlier runs, which matters for a service
    // restarted for years. With it, pino-roll 4.0 keeps `count` files in all, the current one
    // included (without it, count is "in addition to the current file"): checked by
    // test/unit/log-files.test.ts.
    limit: { count: settings.maxFiles, removeOtherLogFiles: true },
    // Synchronous writes: the last lines before a crash or a stop are on disk.
    sync: true,
  });
}

/** `posdiag.log` → the newest `posdiag.N.log` beside it, or null when there is none. */
export async function newestRolledFile(file: string): Promise<string | null> {
  const dir = path.dirname(file);
  const extension = path.extname(file);
  const base = path.basename(file, extension);
  const pattern = new RegExp(`^${escapeRegExp(base)}\\.(\\d+)${escapeRegExp(extension || '.log')}$`);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return null;
  }
  const numbered = names
    .map((name) => ({ name, number: Number(pattern.exec(name)?.[1] ?? Number.NaN) }))
    .filter((entry) => Number.isFinite(entry.number))
    .sort((a, b) => b.number - a.number);
  const newest = numbered[0];
  if (!newest) return null;
  const full = path.join(dir, newest.name);
  await stat(full);
  return full;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
