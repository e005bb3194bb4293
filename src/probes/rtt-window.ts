/**
 * Rolling loss / latency / jitter per target. Pure: time comes in with each sample and each
 * query, so tests drive it with plain numbers.
 *
 * Jitter is the mean absolute difference between consecutive RTTs (the RFC 3550 idea without the
 * exponential smoothing), over the RTTs of the window in the order they were measured.
 */
import type { RttRound } from './types.js';

export type RttMethod = 'icmp' | 'tcp';

export interface RttSample {
  /** Wall-clock ms when the round was taken. */
  at: number;
  method: RttMethod;
  sent: number;
  received: number;
  rttsMs: number[];
}

export interface RttStats extends RttRound {
  method: RttMethod;
  /** Rounds in the window. */
  rounds: number;
  /** Age of the oldest round in the window, in ms. */
  spanMs: number;
}

const round3 = (value: number): number => Math.round(value * 1000) / 1000;

/** Loss, min/avg/max and jitter of RTTs in measurement order. */
export function summarizeRtts(sent: number, received: number, rttsMs: readonly number[]): RttRound {
  const lossPercent = sent === 0 ? 0 : round3(((sent - received) / sent) * 100);
  if (rttsMs.length === 0) {
    return { sent, received, lossPercent, rttsMs: [], minMs: null, avgMs: null, maxMs: null, jitterMs: null };
  }
  let sum = 0;
  let diffs = 0;
  for (let i = 0; i < rttsMs.length; i++) {
    sum += rttsMs[i]!;
    if (i > 0) diffs += Math.abs(rttsMs[i]! - rttsMs[i - 1]!);
  }
  return {
    sent,
    received,
    lossPercent,
    rttsMs: [...rttsMs],
    minMs: round3(Math.min(...rttsMs)),
    avgMs: round3(sum / rttsMs.length),
    maxMs: round3(Math.max(...rttsMs)),
    jitterMs: rttsMs.length > 1 ? round3(diffs / (rttsMs.length - 1)) : null,
  };
}

export class RttWindow {
  private samples: RttSample[] = [];

  /** @param maxRounds hard cap on memory, whatever the window length. */
  constructor(private readonly maxRounds = 1_000) {}

  /** Adds a round. A change of method (ICMP ↔ TCP fallback) starts a fresh window: the units differ. */
  add(sample: RttSample): void {
    const last = this.samples[this.samples.length - 1];
    if (last !== undefined && last.method !== sample.method) this.samples = [];
    this.samples.push(sample);
    if (this.samples.length > this.maxRounds) this.samples.splice(0, this.samples.length - this.maxRounds);
  }

  /** Drops rounds older than `windowMs` before `now` and summarises the rest; null when empty. */
  stats(now: number, windowMs: number): RttStats | null {
    this.samples = this.samples.filter((s) => now - s.at <= windowMs);
    const first = this.samples[0];
    if (first === undefined) return null;
    let sent = 0;
    let received = 0;
    const rtts: number[] = [];
    for (const s of this.samples) {
      sent += s.sent;
      received += s.received;
      rtts.push(...s.rttsMs);
    }
    return {
      ...summarizeRtts(sent, received, rtts),
      method: first.method,
      rounds: this.samples.length,
      spanMs: now - first.at,
    };
  }
}

/** One window per target name. */
export class RttWindows {
  private readonly byTarget = new Map<string, RttWindow>();
  constructor(private readonly maxRounds = 1_000) {}

  get(target: string): RttWindow {
    let window = this.byTarget.get(target);
    if (window === undefined) {
      window = new RttWindow(this.maxRounds);
      this.byTarget.set(target, window);
    }
    return window;
  }

  /** Forget targets no longer configured (after a config reload). */
  retain(targets: Iterable<string>): void {
    const keep = new Set(targets);
    for (const name of this.byTarget.keys()) if (!keep.has(name)) this.byTarget.delete(name);
  }
}
