/**
 * Feeds the store's rolling history: one reading per subject every sample interval (state and
 * latency, for the 24-hour charts), plus one at once and an event whenever the state changes,
 * so a short fault is never averaged away. The decision is a pure function; the recorder only
 * remembers the last reading per subject.
 */
import type { Severity } from '../health/conditions.js';
import type { AgentStore } from './store.js';
import type { EventRow, ReadingRow } from './types.js';

/** The words the status page draws with: working, needs attention, fault, not known yet. */
export type SubjectState = 'ok' | 'attention' | 'fault' | 'unknown';

export function subjectState(severities: readonly Severity[], known: boolean): SubjectState {
  if (severities.includes('critical')) return 'fault';
  if (severities.length > 0) return 'attention';
  return known ? 'ok' : 'unknown';
}

export interface LastReading {
  at: number;
  state: string;
}

/** Record a reading now? And is it a state change (an event)? */
export function sampleDecision(last: LastReading | undefined, state: string, nowMs: number, intervalMs: number): { reading: boolean; event: boolean } {
  if (!last) return { reading: true, event: true };
  if (last.state !== state) return { reading: true, event: true };
  return { reading: nowMs - last.at >= intervalMs, event: false };
}

export class ReadingRecorder {
  private readonly last = new Map<string, LastReading>();

  constructor(
    private readonly store: AgentStore,
    private readonly intervalMs: number,
  ) {}

  /** `subject`: `device:<id>`, `target:<name>`, `network` or `host`. */
  record(subject: string, kind: ReadingRow['kind'], state: string, latencyMs: number | null, nowMs: number): void {
    const previous = this.last.get(subject);
    const decision = sampleDecision(previous, state, nowMs, this.intervalMs);
    if (decision.event) {
      const event: EventRow = { at: nowMs, kind: kind === 'device' ? 'device' : 'probe', subject, from: previous?.state ?? null, to: state };
      this.store.addEvent(event);
    }
    if (decision.reading) {
      this.store.addReading({ at: nowMs, subject, kind, state, latencyMs });
      this.last.set(subject, { at: nowMs, state });
    }
  }
}
