/**
 * Delivery state of one heartbeat receiver, as a pure step: what to log after an attempt and
 * when to try next. A receiver that is down for an hour produces two log lines (down, back),
 * not one per interval, and is retried with capped exponential backoff instead of hammered.
 */
import { backoffDelay } from '../transport/backoff.js';

export interface DeliveryState {
  /** Failed attempts in a row; 0 while deliveries work. */
  failures: number;
  /** When the first failure of the current outage happened (ms), or null. */
  outageSince: number | null;
}

export const initialDeliveryState: DeliveryState = { failures: 0, outageSince: null };

export type Outcome = { ok: true } | { ok: false; reason: string };

/** The one log line an attempt may call for. */
export type DeliveryLog =
  | { kind: 'outage-started'; reason: string }
  | { kind: 'recovered'; failures: number; outageMs: number }
  | null;

export function afterAttempt(state: DeliveryState, outcome: Outcome, nowMs: number): { state: DeliveryState; log: DeliveryLog } {
  if (outcome.ok) {
    if (state.failures === 0) return { state, log: null };
    return {
      state: initialDeliveryState,
      log: { kind: 'recovered', failures: state.failures, outageMs: nowMs - (state.outageSince ?? nowMs) },
    };
  }
  if (state.failures === 0) {
    return { state: { failures: 1, outageSince: nowMs }, log: { kind: 'outage-started', reason: outcome.reason } };
  }
  return { state: { ...state, failures: state.failures + 1 }, log: null };
}

/** Longest wait between retries, unless the interval itself is longer. */
export const MAX_RETRY_DELAY_MS = 5 * 60_000;
/** First retry after a failure, unless the interval is shorter: a blip costs one late beat. */
const FIRST_RETRY_MS = 5_000;

/**
 * Time until the next attempt: the interval while deliveries work; after failures a backoff
 * that starts at min(interval, 5 s) and doubles up to max(interval, 5 min), with jitter so a
 * fleet that lost its line together does not retry in step when it comes back.
 */
export function nextDelayMs(state: DeliveryState, intervalMs: number, random: () => number = Math.random): number {
  if (state.failures === 0) return intervalMs;
  return backoffDelay(state.failures - 1, Math.min(intervalMs, FIRST_RETRY_MS), Math.max(intervalMs, MAX_RETRY_DELAY_MS), random);
}
