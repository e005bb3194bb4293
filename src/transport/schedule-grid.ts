/**
 * When the next run of periodic work (a device poll, a device-node check) starts. Runs start on
 * a grid of whole multiples of their interval (on the process's monotonic clock), so all the
 * periodic work with the same interval (or one dividing it) runs in the same timer tick: N
 * devices wake the agent once per interval instead of N times. On a small VM an idle process
 * pays 150–230 µs of CPU per wake-up (BENCHMARKS.md), which is most of what polling a device
 * costs.
 *
 * In steady state a run starts one interval after the last one started, however long that one
 * took. The first run moves onto the grid: the next start is the first grid point more than
 * half an interval after it. A run that overran its slot is followed at once, then the schedule
 * finds the grid again.
 *
 * `startedAt` and `now` are milliseconds on one monotonic clock (see `monotonicNow`).
 */
export function untilNextSlot(startedAt: number, now: number, intervalMs: number): number {
  const next = (Math.floor((startedAt + intervalMs / 2) / intervalMs) + 1) * intervalMs;
  return Math.max(0, next - now);
}

/** Milliseconds on a clock shared by the whole process that never goes back. */
export function monotonicNow(): number {
  return performance.timeOrigin + performance.now();
}
