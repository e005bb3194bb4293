import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { LogTail, tapLogger } from '../../../src/bundle/log-tail.js';

function logger() {
  const written: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      written.push(String(chunk));
      done();
    },
  });
  return { log: pino({ redact: { paths: ['token'], censor: '[redacted]' } }, sink), written };
}

describe('LogTail', () => {
  it('keeps the last lines the logger and its children wrote, after redaction, still writing them out', () => {
    const { log, written } = logger();
    const tail = new LogTail(3);
    tapLogger(log, tail);
    log.info({ token: 'secret-value-123' }, 'one');
    log.child({ device: 'p1' }).warn('two');
    log.info('three');
    log.info('four');
    const lines = tail.recent().map((l) => JSON.parse(l) as { msg: string; token?: string; device?: string });
    expect(lines.map((l) => l.msg)).toEqual(['two', 'three', 'four']);
    expect(lines[0]!.device).toBe('p1');
    expect(written).toHaveLength(4);
    expect(written[0]).toContain('[redacted]');
  });

  it('wraps the stream once: a restarted agent points the tap at its own tail, and untap stops it', () => {
    const { log, written } = logger();
    const first = new LogTail();
    tapLogger(log, first);
    const second = new LogTail();
    const untap = tapLogger(log, second);
    log.info('after restart');
    expect(first.recent()).toEqual([]);
    expect(second.recent()).toHaveLength(1);
    expect(written).toHaveLength(1);
    untap();
    log.info('after stop');
    expect(second.recent()).toHaveLength(1);
    expect(written).toHaveLength(2);
  });
});
