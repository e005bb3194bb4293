import { pino } from 'pino';
import type { Logger } from '../log.js';

/**
 * The agent's most recent log lines, kept in memory for the support bundle: the log itself may
 * be the journal or a rotated file the bundle cannot read back. Lines are taken after pino has
 * serialised them, so its redaction of tokens and secrets has already been applied.
 */
export class LogTail {
  private readonly lines: string[] = [];

  constructor(private readonly max = 300) {}

  push(chunk: string): void {
    for (const line of chunk.split('\n')) {
      if (!line) continue;
      this.lines.push(line.length > 4_000 ? `${line.slice(0, 4_000)}…` : line);
    }
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
  }

  recent(): string[] {
    return [...this.lines];
  }
}

const tapKey = Symbol.for('posdiag.logTail');

interface Tap {
  tail: LogTail | null;
}

/**
 * Copies every line the logger (and all its children, which share its stream) writes into the
 * tail. The logger is made before the agent by the CLI; tapping its stream here keeps the log's
 * set-up in one place and needs nothing from it. The stream is wrapped once: an agent restarted
 * on reload with the same logger points the tap at its own tail. Returns the untap.
 */
export function tapLogger(log: Logger, tail: LogTail): () => void {
  const stream = (log as unknown as Record<symbol, ({ write(chunk: string): unknown } & { [tapKey]?: Tap }) | undefined>)[pino.symbols.streamSym];
  if (!stream || typeof stream.write !== 'function') return () => undefined;
  let tap = stream[tapKey];
  if (!tap) {
    const installed: Tap = { tail: null };
    const write = stream.write.bind(stream);
    stream.write = (chunk: string) => {
      installed.tail?.push(String(chunk));
      return write(chunk);
    };
    stream[tapKey] = installed;
    tap = installed;
  }
  tap.tail = tail;
  const current = tap;
  return () => {
    if (current.tail === tail) current.tail = null;
  };
}
