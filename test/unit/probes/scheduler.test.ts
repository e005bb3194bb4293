import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { scheduleCalendar, schedulePeriodic, type JobOutcome, type LoggerLike } from '../../../src/probes/scheduler.js';

type Line = [level: string, obj: Record<string, unknown>, msg?: string];

function recordingLogger(): LoggerLike & { lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: string) => (obj: object, msg?: string) => void lines.push([level, obj as Record<string, unknown>, msg]);
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A promise the test resolves by hand. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('schedulePeriodic', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs at once and then every interval', async () => {
    const logger = recordingLogger();
    const outcomes: JobOutcome<number>[] = [];
    let n = 0;
    const handle = schedulePeriodic({ name: 'net', intervalMs: 1_000, timeoutMs: 500, run: async () => ++n }, { logger, onOutcome: (o) => outcomes.push(o) });
    await vi.advanceTimersByTimeAsync(0);
    expect(outcomes.map((o) => o.value)).toEqual([1]);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(outcomes.map((o) => o.value)).toEqual([1, 2, 3, 4]);
    await handle.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(n).toBe(4);
  });

  it('never overlaps itself: a tick during a run is skipped and logged', async () => {
    const logger = recordingLogger();
    const gates: ReturnType<typeof deferred<void>>[] = [];
    let concurrent = 0;
    let maxConcurrent = 0;
    const run = async () => {
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      const gate = deferred();
      gates.push(gate);
      await gate.promise; // ignores its signal on purpose: the worst case
      concurrent--;
    };
    const handle = schedulePeriodic({ name: 'slow', intervalMs: 1_000, timeoutMs: 1_000, run }, { logger });
    await vi.advanceTimersByTimeAsync(3_500);
    expect(gates).toHaveLength(1);
    expect(handle.skipped).toBe(3);
    expect(handle.running).toBe(true);
    expect(logger.lines.filter(([level]) => level === 'warn').map(([, , msg]) => msg)).toEqual([
      // At t = 1000 the next tick was due before the timeout (it was scheduled first).
      'previous run still going; skipped this one',
      'run timed out; aborting it',
      'previous run still going; skipped this one',
      'previous run still going; skipped this one',
    ]);
    gates[0]!.resolve();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(gates).toHaveLength(2);
    expect(maxConcurrent).toBe(1);
    gates[1]!.resolve();
    await handle.stop();
  });

  it('aborts the run at its timeout and reports timedOut', async () => {
    const logger = recordingLogger();
    const outcome = deferred<JobOutcome<void>>();
    const run = (signal: AbortSignal) =>
      new Promise<void>((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    const handle = schedulePeriodic({ name: 'hang', intervalMs: 10_000, timeoutMs: 300, run }, { logger, onOutcome: outcome.resolve });
    await vi.advanceTimersByTimeAsync(300);
    const o = await outcome.promise;
    expect(o).toMatchObject({ job: 'hang', timedOut: true, durationMs: 300 });
    expect(o.error).toMatchObject({ code: 'ETIMEDOUT' });
    expect(logger.lines.find(([level]) => level === 'error')).toBeUndefined();
    await handle.stop();
  });

  it('a failing run is logged with its error object, and the schedule goes on', async () => {
    const logger = recordingLogger();
    const boom = new Error('boom');
    let calls = 0;
    const handle = schedulePeriodic({ name: 'flaky', intervalMs: 100, timeoutMs: 50, run: async () => { calls++; throw boom; } }, { logger });
    await vi.advanceTimersByTimeAsync(250);
    expect(calls).toBe(3);
    expect(logger.lines.filter(([l]) => l === 'error')[0]).toEqual(['error', { job: 'flaky', err: boom }, 'run failed']);
    await handle.stop();
  });

  it('stop() aborts the run in progress and waits for it', async () => {
    let aborted = false;
    const run = (signal: AbortSignal) =>
      new Promise<void>((resolve) => signal.addEventListener('abort', () => ((aborted = true), resolve()), { once: true }));
    const handle = schedulePeriodic({ name: 'n', intervalMs: 1_000, timeoutMs: 900, run }, { logger: recordingLogger() });
    await vi.advanceTimersByTimeAsync(0);
    expect(handle.running).toBe(true);
    await handle.stop();
    expect(aborted).toBe(true);
    expect(handle.running).toBe(false);
  });

  it('checks its options at the door', () => {
    const logger = recordingLogger();
    const run = async () => undefined;
    expect(() => schedulePeriodic({ name: 'x', intervalMs: 0, timeoutMs: 1, run }, { logger })).toThrow('job x: intervalMs must be a positive number of ms, got 0');
    expect(() => schedulePeriodic({ name: 'x', intervalMs: 100, timeoutMs: 200, run }, { logger })).toThrow(
      'job x: timeoutMs (200) must not exceed intervalMs (100), or every slow run would skip the next',
    );
  });
});

/** pino writing JSON lines into an array; `next(predicate)` resolves on the first matching line. */
function pinoSink() {
  const lines: Record<string, unknown>[] = [];
  const waiters: { match: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      const line = JSON.parse(chunk.toString()) as Record<string, unknown>;
      lines.push(line);
      for (const w of waiters.filter((w) => w.match(line))) w.resolve(line);
      done();
    },
  });
  const next = (match: (l: Record<string, unknown>) => boolean) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const found = lines.find(match);
      if (found) resolve(found);
      else waiters.push({ match, resolve });
    });
  return { logger: pino({ level: 'debug' }, stream), lines, next };
}

describe('scheduleCalendar (node-cron)', () => {
  it('refuses an invalid expression', () => {
    expect(() => scheduleCalendar({ name: 'c', expression: 'every day', timeoutMs: 10, run: async () => 1 }, { logger: recordingLogger() })).toThrow(
      'job c: invalid cron expression "every day"',
    );
  });

  it('runs at calendar times; its overlap warning goes to pino, not the console', async () => {
    const sink = pinoSink();
    const consoleWarn = vi.spyOn(console, 'warn');
    const gate = deferred();
    const started = deferred();
    const outcome = deferred<JobOutcome<string>>();
    const handle = scheduleCalendar(
      {
        name: 'cert-report',
        expression: '* * * * * *',
        timeoutMs: 10_000,
        run: async () => {
          started.resolve();
          await gate.promise;
          return 'done';
        },
      },
      { logger: sink.logger, onOutcome: outcome.resolve },
    );
    try {
      expect(handle.nextRun()).toBeInstanceOf(Date);
      await started.promise;
      const line = await sink.next((l) => l.source === 'node-cron');
      expect(line).toMatchObject({ level: 40, job: 'cert-report', source: 'node-cron', msg: 'task still running, new execution blocked by overlap prevention!' });
      expect(handle.running).toBe(true);
      gate.resolve();
      expect(await outcome.promise).toMatchObject({ job: 'cert-report', value: 'done', timedOut: false });
      expect(consoleWarn).not.toHaveBeenCalled();
    } finally {
      gate.resolve();
      consoleWarn.mockRestore();
      await handle.stop();
    }
  });
});
