import { describe, expect, it } from 'vitest';
import { historyFromReadings, withRingLatency } from '../../../src/history/from-store.js';
import { HistoryRing } from '../../../src/history/recorder.js';
import type { ReadingRow } from '../../../src/store/types.js';

const t0 = Date.parse('2026-12-01T00:00:00.000Z');
const min = (m: number) => t0 + m * 60_000;
const reading = (at: number, subject: string, state: string, latencyMs: number | null): ReadingRow => ({
  at,
  subject,
  kind: subject.startsWith('device:') ? 'device' : 'target',
  state,
  latencyMs,
});

describe('historyFromReadings', () => {
  const readings = [
    reading(min(1), 'device:p', 'ok', 12),
    reading(min(2), 'device:p', 'ok', 18),
    reading(min(2) + 5_000, 'device:p', 'fault', null),
    reading(min(3), 'device:p', 'fault', null),
    reading(min(4), 'device:p', 'ok', 10),
    reading(min(1), 'network', 'ok', null),
    reading(min(1), 'target:acquirer', 'ok', 30),
    reading(min(1), 'target:backup', 'fault', 99),
    reading(min(-10), 'device:p', 'unknown', 5),
  ];
  const snapshot = historyFromReadings(readings, {
    from: new Date(min(0)),
    to: new Date(min(5)),
    bucketMs: 60_000,
    latencyFrom: { 'target:acquirer': 'network' },
    events: [],
  });

  it('keeps each state change once, oldest first, and only readings inside the window', () => {
    expect(snapshot.subjects['device:p']!.changes.map((c) => [c.at, c.state])).toEqual([
      [new Date(min(1)).toISOString(), 'ok'],
      [new Date(min(2) + 5_000).toISOString(), 'fault'],
      [new Date(min(4)).toISOString(), 'ok'],
    ]);
  });

  it('charts latency per bucket, the primary target\'s under the network, and no other target', () => {
    expect(snapshot.subjects['device:p']!.latency.map((b) => [b.at, b.avgMs, b.maxMs, b.count])).toEqual([
      [new Date(min(1)).toISOString(), 12, 12, 1],
      [new Date(min(2)).toISOString(), 18, 18, 1],
      [new Date(min(4)).toISOString(), 10, 10, 1],
    ]);
    expect(snapshot.subjects.network!.latency.map((b) => b.avgMs)).toEqual([30]);
    expect(snapshot.subjects.network!.changes.map((c) => c.state)).toEqual(['ok']);
    expect(Object.keys(snapshot.subjects).sort()).toEqual(['device:p', 'network']);
  });
});

describe('withRingLatency', () => {
  it('takes older minutes from the store and the current run\'s from the ring, keeping the store\'s states', () => {
    const stored = historyFromReadings(
      [reading(min(1), 'device:p', 'fault', 40), reading(min(3), 'device:p', 'ok', 50), reading(min(4), 'device:p', 'ok', 60)],
      { from: new Date(min(0)), to: new Date(min(5)), bucketMs: 60_000, latencyFrom: {}, events: [] },
    );
    const ring = new HistoryRing();
    ring.observeState('device:p', 'ok', [], new Date(min(3)));
    for (const ms of [5, 7, 9]) ring.observeLatency('device:p', ms, new Date(min(3) + ms * 1000));
    ring.observeLatency('network', 20, new Date(min(4)));
    const merged = withRingLatency(stored, ring.snapshot(new Date(min(5))));
    expect(merged.subjects['device:p']!.latency.map((b) => [b.at, b.avgMs, b.count])).toEqual([
      [new Date(min(1)).toISOString(), 40, 1],
      [new Date(min(3)).toISOString(), 7, 3],
    ]);
    expect(merged.subjects['device:p']!.changes.map((c) => c.state)).toEqual(['fault', 'ok']);
    expect(merged.subjects.network!.latency.map((b) => b.avgMs)).toEqual([20]);
  });
});
