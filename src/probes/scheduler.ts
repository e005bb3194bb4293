/**
 * Running probes on a schedule. Every job has an interval (or a cron expression) and a timeout,
 * and never overlaps itself: a tick that finds the previous run still going is skipped and logged,
 * the way node-cron's noOverlap does. At the timeout the run's AbortSignal fires; the next run
 * still waits until the old one has settled, so a run that ignores its signal shows up as skips
 * in the log rather than as a pile of parallel runs.
 *
 * Calendar-time jobs (daily certificate report, …) use node-cron with its log lines routed to the
 * given pino-style logger instead of its own coloured console output.
 */
import cron, { type Logger as CronLogger, type ScheduledTask } from 'node-cron';
import { DeadlineError } from './deadline.js';

/** The subset of pino's API used here: object first, then the message. */
export interface LoggerLike {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface JobOutcome<T> {
  job: string;
  /** Wall-clock ms. */
  startedAt: number;
  durationMs: number;
  timedOut: boolean;
  value?: T;
  error?: unknown;
}

export interface JobRunner<T> {
  name: string;
  /** The run's AbortSignal fires after this many ms. */
  timeoutMs: number;
  run(signal: AbortSignal): Promise<T>;
}

export interface PeriodicJob<T> extends JobRunner<T> {
  intervalMs: number;
}

export interface CalendarJob<T> extends JobRunner<T> {
  /** node-cron expression; six fields for seconds. */
  expression: string;
  timezone?: string;
}

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface ScheduleOptions<T> {
  logger: LoggerLike;
  onOutcome?: (outcome: JobOutcome<T>) => void;
  timers?: Timers;
}

export interface JobHandle {
  /** Stops scheduling, aborts a run in progress and waits for it to settle. */
  stop(): Promise<void>;
  /** True while a run is in progress. */
  readonly running: boolean;
  /** Ticks skipped because the previous run was still going. */
  readonly skipped: number;
}

/** One run with its timeout; never throws (failures are in the outcome and the log). */
async function runOnce<T>(job: JobRunner<T>, controller: AbortController, o: ScheduleOptions<T>, timers: Timers): Promise<void> {
  const startedAt = timers.now();
  let timedOut = false;
  const deadline = timers.setTimeout(() => {
    timedOut = true;
    o.logger.warn({ job: job.name, timeoutMs: job.timeoutMs }, 'run timed out; aborting it');
    controller.abort(new DeadlineError(job.timeoutMs));
  }, job.timeoutMs);
  const outcome: JobOutcome<T> = { job: job.name, startedAt, durationMs: 0, timedOut: false };
  try {
    outcome.value = await job.run(controller.signal);
  } catch (error) {
    outcome.error = error;
    if (!timedOut) o.logger.error({ job: job.name, err: error }, 'run failed');
  } finally {
    timers.clearTimeout(deadline);
  }
  outcome.timedOut = timedOut;
  outcome.durationMs = timers.now() - startedAt;
  try {
    o.onOutcome?.(outcome);
  } catch (error) {
    o.logger.error({ job: job.name, err: error }, 'outcome handler failed');
  }
}

/** At most one run of `job` at a time, with the means to cancel it. */
function runSlot<T>(job: JobRunner<T>, o: ScheduleOptions<T>) {
  const timers = o.timers ?? realTimers;
  let current: { controller: AbortController; done: Promise<void> } | null = null;
  return {
    get busy(): boolean {
      return current !== null;
    },
    start(): Promise<void> {
      const controller = new AbortController();
      const done = runOnce(job, controller, o, timers).finally(() => {
        current = null;
      });
      current = { controller, done };
      return done;
    },
    async cancel(): Promise<void> {
      const running = current;
      running?.controller.abort(new Error(`job ${job.name} stopped`));
      await running?.done;
    },
  };
}

function checkPositive(job: string, name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`job ${job}: ${name} must be a positive number of ms, got ${value}`);
}

/** Runs `job` now and then every `intervalMs` (fixed rate, measured from each tick). */
export function schedulePeriodic<T>(job: PeriodicJob<T>, o: ScheduleOptions<T>): JobHandle {
  checkPositive(job.name, 'intervalMs', job.intervalMs);
  checkPositive(job.name, 'timeoutMs', job.timeoutMs);
  if (job.timeoutMs > job.intervalMs) {
    throw new TypeError(`job ${job.name}: timeoutMs (${job.timeoutMs}) must not exceed intervalMs (${job.intervalMs}), or every slow run would skip the next`);
  }
  const slot = runSlot(job, o);
  let stopped = false;
  let skipped = 0;
  const timers = o.timers ?? realTimers;
  let timer: unknown;

  const tick = (): void => {
    if (stopped) return;
    timer = timers.setTimeout(tick, job.intervalMs);
    if (slot.busy) {
      skipped++;
      o.logger.warn({ job: job.name, skipped }, 'previous run still going; skipped this one');
      return;
    }
    void slot.start();
  };
  timer = timers.setTimeout(tick, 0);

  return {
    async stop() {
      stopped = true;
      timers.clearTimeout(timer);
      await slot.cancel();
    },
    get running() {
      return slot.busy;
    },
    get skipped() {
      return skipped;
    },
  };
}

/** node-cron's log lines as structured pino-style lines. */
export function cronLogger(logger: LoggerLike, job: string): CronLogger {
  const fields = { job, source: 'node-cron' };
  const withError = (level: 'error' | 'debug') => (message: string | Error, err?: Error) =>
    message instanceof Error ? logger[level]({ ...fields, err: message }, message.message) : logger[level]({ ...fields, err }, message);
  return {
    info: (message) => logger.info(fields, message),
    warn: (message) => logger.warn(fields, message),
    error: withError('error'),
    debug: withError('debug'),
  };
}

export interface CalendarHandle extends JobHandle {
  nextRun(): Date | null;
}

/** Runs `job` at the calendar times of its cron expression. */
export function scheduleCalendar<T>(job: CalendarJob<T>, o: ScheduleOptions<T>): CalendarHandle {
  checkPositive(job.name, 'timeoutMs', job.timeoutMs);
  if (!cron.validate(job.expression)) throw new TypeError(`job ${job.name}: invalid cron expression ${JSON.stringify(job.expression)}`);
  const slot = runSlot(job, o);
  let skipped = 0;
  const task: ScheduledTask = cron.schedule(job.expression, () => slot.start(), {
    name: job.name,
    noOverlap: true,
    timezone: job.timezone,
    logger: cronLogger(o.logger, job.name),
  });
  task.on('execution:overlap', () => {
    skipped++;
  });
  return {
    async stop() {
      await task.stop();
      await slot.cancel();
      await task.destroy();
    },
    nextRun: () => task.getNextRun(),
    get running() {
      return slot.busy;
    },
    get skipped() {
      return skipped;
    },
  };
}
