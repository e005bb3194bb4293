/**
 * The outbox's decisions, as pure functions of the rows and the time: which notifications may
 * go now, and when to try again after a failure. The outbox loop (outbox.ts) only does what
 * these say, so ordering and backoff are tested without timers or sockets.
 */
import type { OutboxRow } from '../store/types.js';

export interface RetryPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
}

export type SendOutcome =
  | { ok: true; status: number }
  /** `transport`: the receiver was not reached at all (refused, timeout, DNS): everything for it waits. */
  | { ok: false; transport: boolean; status: number | null; error: string };

/**
 * Delay before attempt `failures + 1`: doubling from the initial delay up to the cap, with
 * jitter in [50 %, 100 %] so a thousand shops coming back online together do not retry in
 * lockstep. `random` is injected (0 ≤ r < 1).
 */
export function retryDelay(failures: number, policy: RetryPolicy, random: () => number): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** exponent);
  return Math.max(1, Math.round(ceiling * (0.5 + random() / 2)));
}

/**
 * Rows that may be sent now, oldest first. Only the oldest undelivered row of each alert is
 * eligible (in order per alert: a "resolved" never overtakes its "firing"); alerts do not wait
 * for each other. `wakeAtMs`: when the next row becomes due, null when none is waiting.
 */
export function dueRows(rows: readonly OutboxRow[], nowMs: number): { due: OutboxRow[]; wakeAtMs: number | null } {
  const seen = new Set<string>();
  const due: OutboxRow[] = [];
  let wakeAtMs: number | null = null;
  for (const row of [...rows].sort((a, b) => a.id - b.id)) {
    if (seen.has(row.alertId)) continue;
    seen.add(row.alertId);
    if (row.nextAttemptAt <= nowMs) due.push(row);
    else wakeAtMs = wakeAtMs === null ? row.nextAttemptAt : Math.min(wakeAtMs, row.nextAttemptAt);
  }
  return { due, wakeAtMs };
}

/** The row after a failed attempt: counted, with its next attempt pushed back. */
export function afterFailure(row: OutboxRow, error: string, nowMs: number, policy: RetryPolicy, random: () => number): OutboxRow {
  const attempts = row.attempts + 1;
  return { ...row, attempts, lastError: error.slice(0, 500), nextAttemptAt: nowMs + retryDelay(attempts, policy, random) };
}
