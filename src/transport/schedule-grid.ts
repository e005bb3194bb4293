/**
 * When the next run of periodic work (a device poll, a device-node check) starts. Runs start on
 * a grid of whole multiples of their interval on `performance.now()`, one clock for the whole
 * process that never goes back, so all the periodic work at one interval (or one dividing it)
 * runs in the same timer tick: N devices wake the agent once per interval, not N times. On a
 * small VM one wake-up of an idle process costs 150–260 µs of CPU (BENCHMARKS.md), most of what
 * polling a device costs.
 *
 * In steady state a run starts one interval after the last one started, however long that one
 * took. The first run moves onto the grid: the next start is the first grid point more than
 * half an interval after it. A run that overran its slot is followed at once, then the schedule
 * finds the grid again.
 *
 * `startedAt` and `now` are `performance.now()` readings.
 */
export function untilNextSlot(startedAt: number, now: number, intervalMs: number): number {
  const next = (Math.floor((startedAt + intervalMs / 2) / intervalMs) + 1) * intervalMs;
  return Math.max(0, next - now);
}

