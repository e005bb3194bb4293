import type { ReadingRow } from '../store/types.js';
import type { ConditionEvent, HistorySnapshot, LatencyBucket, StateChange, SubjectHistory } from './recorder.js';
import type { SubjectState } from './state.js';

export interface StoredHistoryOptions {
  from: Date;
  to: Date;
  bucketMs: number;
  /**
   * Readings whose latency belongs to another subject's chart: the store keeps the network
   * path's state under `network` and the round trip per target under `target:<name>`; the
   * page's network chart shows the primary target's.
   */
  latencyFrom: Record<string, string>;
  /** Conditions raised and cleared (the store keeps states, not condition ids). */
  events: ConditionEvent[];
}

const states = new Set<SubjectState>(['ok', 'attention', 'fault', 'unknown']);

/**
 * The page's 24-hour history from the SQLite store's readings (one per subject per sample
 * interval, and one at every state change), which outlive a restart of the agent. Pure.
 */
export function historyFromReadings(readings: readonly ReadingRow[], options: StoredHistoryOptions): HistorySnapshot {
  const fromMs = options.from.getTime();
  const toMs = options.to.getTime();
  const subjects = new Map<string, { changes: StateChange[]; buckets: Map<number, { count: number; sum: number; max: number }> }>();
  const subject = (key: string) => {
    let entry = subjects.get(key);
    if (!entry) {
      entry = { changes: [], buckets: new Map() };
      subjects.set(key, entry);
    }
    return entry;
  };
  for (const reading of [...readings].sort((a, b) => a.at - b.at)) {
    if (reading.at < fromMs || reading.at > toMs) continue;
    const latencyKey = options.latencyFrom[reading.subject];
    if (reading.latencyMs !== null && (latencyKey || !reading.subject.startsWith('target:'))) {
      const start = Math.floor(reading.at / options.bucketMs) * options.bucketMs;
      const buckets = subject(latencyKey ?? reading.subject).buckets;
      const bucket = buckets.get(start) ?? { count: 0, sum: 0, max: 0 };
      bucket.count += 1;
      bucket.sum += reading.latencyMs;
      bucket.max = Math.max(bucket.max, reading.latencyMs);
      buckets.set(start, bucket);
    }
    // Per-target states are in the network path's state already; the page has no card for them.
    if (reading.subject.startsWith('target:') || !states.has(reading.state as SubjectState)) continue;
    const changes = subject(reading.subject).changes;
    if (changes.at(-1)?.state !== reading.state) changes.push({ at: new Date(reading.at).toISOString(), state: reading.state as SubjectState, conditions: [] });
  }
  const result: Record<string, SubjectHistory> = {};
  for (const [key, entry] of subjects) {
    const latency: LatencyBucket[] = [...entry.buckets.entries()]
      .sort(([a], [b]) => a - b)
      .map(([start, b]) => ({ at: new Date(start).toISOString(), count: b.count, avgMs: Math.round((b.sum / b.count) * 10) / 10, maxMs: Math.round(b.max * 10) / 10, failures: 0 }));
    result[key] = { changes: entry.changes, latency };
  }
  return { from: options.from.toISOString(), to: options.to.toISOString(), bucketMs: options.bucketMs, subjects: result, events: options.events };
}

/**
 * The store's history with the ring's latency wherever the ring has it: the ring averages every
 * poll of the agent's current run per minute, the store keeps one sample per interval but
 * across restarts. Older minutes come from the store, the current run's from the ring.
 */
export function withRingLatency(stored: HistorySnapshot, ring: HistorySnapshot): HistorySnapshot {
  const subjects: Record<string, SubjectHistory> = { ...stored.subjects };
  for (const [key, history] of Object.entries(ring.subjects)) {
    const ringLatency = history.latency;
    const first = ringLatency[0];
    if (!first) continue;
    const older = (stored.subjects[key]?.latency ?? []).filter((b) => b.at < first.at);
    subjects[key] = { changes: stored.subjects[key]?.changes ?? history.changes, latency: [...older, ...ringLatency] };
  }
  return { ...stored, subjects };
}
