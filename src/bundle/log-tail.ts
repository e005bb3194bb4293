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

/**
 * Copies every line the logger (and all its children, which share its stream) writes into the
 * tail. The logger is made before the agent by the CLI; tapping its stream here keeps the log's
 * set-up in one place and needs nothing from it.
 */
export function tapLogger(log: Logger, tail: LogTail): void {
  const stream = (log as unknown as Record<symbol, { write(chunk: string): unknown } | undefined>)[pino.symbols.streamSym];
  if (!stream || typeof stream.write !== 'function') return;
  const write = stream.write.bind(stream);
  stream.write = (chunk: string) => {
    tail.push(String(chunk));
    return write(chunk);
  };
}
