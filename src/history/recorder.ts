import type { SubjectState } from './state.js';

/**
 * The last 24 hours of what the page shows, kept in memory: each subject's state changes, the
 * conditions raised and cleared, and its latency in one-minute buckets. The SQLite store being
 * built alongside will hold the long history; until its query API exists, this ring is the
 * source of the page's timelines and of the support bundle's events. Bounded: old entries fall
 * out of the window, and a flapping device cannot grow it past `maxChanges` per subject.
 *
 * Subjects are `device:<id>`, `network` and `host`. Time comes in as an argument.
 */
export interface StateChange {
  at: string;
  state: SubjectState;
  conditions: string[];
}

export interface ConditionEvent {
  at: string;
  subject: string;
  kind: 'raised' | 'cleared';
  condition: string;
}

export interface LatencyBucket {
  /** Start of the bucket (ISO-8601). */
  at: string;
  count: number;
  avgMs: number;
  maxMs: number;
  /** Polls or rounds in this bucket that got no answer. */
  failures: number;
}

export interface SubjectHistory {
  /** Oldest first; the first one may start before the window (it was in effect at its start). */
  changes: StateChange[];
  latency: LatencyBucket[];
}

export interface HistorySnapshot {
  from: string;
  to: string;
  /** Width of one latency bucket. */
  bucketMs: number;
  subjects: Record<string, SubjectHistory>;
  events: ConditionEvent[];
}

export interface HistoryOptions {
  windowMs?: number;
  bucketMs?: number;
  maxChanges?: number;
  maxEvents?: number;
}

interface MutableBucket {
  start: number;
  count: number;
  sumMs: number;
  maxMs: number;
  failures: number;
}

interface SubjectRecord {
  changes: StateChange[];
  buckets: MutableBucket[];
}

export class HistoryRing {
  private readonly windowMs: number;
  private readonly bucketMs: number;
  private readonly maxChanges: number;
  private readonly maxEvents: number;
  private readonly subjects = new Map<string, SubjectRecord>();
  private events: ConditionEvent[] = [];

  constructor(options: HistoryOptions = {}) {
    this.windowMs = options.windowMs ?? 24 * 3600_000;
    this.bucketMs = options.bucketMs ?? 60_000;
    this.maxChanges = options.maxChanges ?? 2_000;
    this.maxEvents = options.maxEvents ?? 5_000;
  }

  /** Records the subject's state; only a change (of state or of the set of conditions) is kept. */
  observeState(subject: string, state: SubjectState, conditions: readonly string[], now: Date): void {
    const record = this.record(subject);
    const last = record.changes.at(-1);
    const sorted = [...conditions].sort();
    if (last && last.state === state && sameList(last.conditions, sorted)) return;
    const at = now.toISOString();
    const before = last?.conditions ?? [];
    for (const condition of sorted.filter((c) => !before.includes(c))) this.events.push({ at, subject, kind: 'raised', condition });
    for (const condition of before.filter((c) => !sorted.includes(c))) this.events.push({ at, subject, kind: 'cleared', condition });
    record.changes.push({ at, state, conditions: sorted });
    if (record.changes.length > this.maxChanges) record.changes.splice(0, record.changes.length - this.maxChanges);
    if (this.events.length > this.maxEvents) this.events.splice(0, this.events.length - this.maxEvents);
    this.prune(now);
  }

  /** One answered poll or probe round (`ms`), or one that got no answer (`null`). */
  observeLatency(subject: string, ms: number | null, now: Date): void {
    const record = this.record(subject);
    const start = Math.floor(now.getTime() / this.bucketMs) * this.bucketMs;
    let bucket = record.buckets.at(-1);
    if (!bucket || bucket.start !== start) {
      bucket = { start, count: 0, sumMs: 0, maxMs: 0, failures: 0 };
      record.buckets.push(bucket);
      this.prune(now);
    }
    if (ms === null) {
      bucket.failures += 1;
    } else {
      bucket.count += 1;
      bucket.sumMs += ms;
      bucket.maxMs = Math.max(bucket.maxMs, ms);
    }
  }

  /** When the subject's current state began, or null if nothing was recorded for it. */
  stateSince(subject: string): string | null {
    return this.subjects.get(subject)?.changes.at(-1)?.at ?? null;
  }

  snapshot(now: Date): HistorySnapshot {
    this.prune(now);
    const subjects: Record<string, SubjectHistory> = {};
    for (const [key, record] of this.subjects) {
      subjects[key] = {
        changes: record.changes.map((c) => ({ ...c, conditions: [...c.conditions] })),
        latency: record.buckets.map((b) => ({
          at: new Date(b.start).toISOString(),
          count: b.count,
          avgMs: b.count ? round(b.sumMs / b.count) : 0,
          maxMs: round(b.maxMs),
          failures: b.failures,
        })),
      };
    }
    return { from: new Date(now.getTime() - this.windowMs).toISOString(), to: now.toISOString(), bucketMs: this.bucketMs, subjects, events: [...this.events] };
  }

  private record(subject: string): SubjectRecord {
    let record = this.subjects.get(subject);
    if (!record) {
      record = { changes: [], buckets: [] };
      this.subjects.set(subject, record);
    }
    return record;
  }

  /** Drops what lies wholly before the window; keeps the one change in effect at its start. */
  private prune(now: Date): void {
    const cutoff = now.getTime() - this.windowMs;
    for (const record of this.subjects.values()) {
      let keepFrom = 0;
      while (keepFrom + 1 < record.changes.length && Date.parse(record.changes[keepFrom + 1]!.at) <= cutoff) keepFrom += 1;
      if (keepFrom > 0) record.changes.splice(0, keepFrom);
      const firstBucket = record.buckets.findIndex((b) => b.start + this.bucketMs > cutoff);
      if (firstBucket === -1) record.buckets.length = 0;
      else if (firstBucket > 0) record.buckets.splice(0, firstBucket);
    }
    const firstEvent = this.events.findIndex((e) => Date.parse(e.at) > cutoff);
    if (firstEvent === -1) this.events = [];
    else if (firstEvent > 0) this.events.splice(0, firstEvent);
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
