import { pino, type Logger as PinoLogger } from 'pino';
import { createRequire } from 'node:module';

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

/** For commands that print their own output (check, devices): only warnings and worse, to stderr. */
export function quietLogger(): Logger {
  return pino({ level: 'warn', redact: { paths: redactPaths, censor: '[redacted]' } }, pino.destination({ fd: 2, sync: true }));
}
