import { pino, type Logger as PinoLogger } from 'pino';
import { createRequire } from 'node:module';
import path from 'node:path';
import { openRollingFile } from './log-files.js';

export type Logger = PinoLogger;
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

export interface LogSettings {
  level: LogLevel;
  format: 'auto' | 'json' | 'pretty';
}

/**
 * Paths whose values never reach a log line: the HTTP token, webhook secrets, and the
 * Authorization header of any request we log.
 */
const redactPaths = [
  'token',
  '*.token',
  'http.token',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'req.headers.authorization',
  'headers.authorization',
];

/**
 * JSON lines for machines (journald, Docker, log shippers); readable colour lines when a person
 * runs the agent in a terminal. Pretty printing runs in-process as a plain stream rather than
 * pino's worker-thread transport: a worker costs about 9 MB of RSS on a shop PC for no gain.
 */
export function createLogger(settings: LogSettings, destination: NodeJS.WritableStream = process.stdout): Logger {
  const usePretty =
    settings.format === 'pretty' || (settings.format === 'auto' && (destination as { isTTY?: boolean }).isTTY === true);
  const options = {
    level: settings.level,
    base: { pid: process.pid },
    redact: { paths: redactPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (usePretty) {
    // Loaded only for a person at a terminal: a service writing JSON saves its ~8 MB.
    const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
    return pino(options, pretty({ destination: 1, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true }));
  }
  return pino(options, destination === process.stdout ? pino.destination({ fd: 1, sync: true }) : destination);
}

export interface LogDestinationSettings extends LogSettings {
  /** A rotated file instead of stdout; null: stdout. */
  file: string | null;
  maxSize: number;
  maxFiles: number;
}

/**
 * The daemon's logger: stdout (the journal, docker logs) or, with `log.file`, a rotated file
 * with bounded disk use. `close()` flushes the file before the process exits.
 */
export async function createDaemonLogger(settings: LogDestinationSettings): Promise<{ log: Logger; close(): Promise<void> }> {
  if (settings.file === null) return { log: createLogger(settings), close: async () => {} };
  const stream = await openRollingFile({ file: path.resolve(settings.file), maxSizeBytes: settings.maxSize, maxFiles: settings.maxFiles });
  // JSON lines in a file whatever log.format says: colours are for a person at a terminal.
  const log = createLogger({ ...settings, format: 'json' }, stream);
  return {
    log,
    close: () =>
      new Promise<void>((resolve) => {
        stream.flushSync();
        stream.once('close', () => resolve());
        stream.end();
      }),
  };
}

/** For commands that print their own output (check, devices): only warnings and worse, to stderr. */
export function quietLogger(): Logger {
  return pino({ level: 'warn', redact: { paths: redactPaths, censor: '[redacted]' } }, pino.destination({ fd: 2, sync: true }));
}
