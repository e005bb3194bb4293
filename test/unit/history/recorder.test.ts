import { describe, expect, it } from 'vitest';
import { HistoryRing } from '../../../src/history/recorder.js';
import { historyView, niceCeiling } from '../../../src/history/view.js';

const t0 = Date.parse('2026-12-01T00:00:00.000Z');
const at = (minutes: number) => new Date(t0 + minutes * 60_000);

describe('HistoryRing', () => {
  it('keeps a change only when the state or the set of conditions changes, and logs raised and cleared conditions', () => {
    const ring = new HistoryRing();
    ring.observeState('device:p', 'ok', [], at(0));
    ring.observeState('device:p', 'ok', [], at(1));
    ring.observeState('device:p', 'fault', ['printer.paper_out'], at(2));
    ring.observeState('device:p', 'fault', ['printer.paper_out', 'printer.cover_open'], at(3));
    ring.observeState('device:p', 'fault', ['printer.cover_open', 'printer.paper_out'], at(4));
    ring.observeState('device:p', 'ok', [], at(5));
    const snapshot = ring.snapshot(at(6));
    expect(snapshot.subjects['device:p']!.changes.map((c) => [c.at, c.state])).toEqual([
      [at(0).toISOString(), 'ok'],
      [at(2).toISOString(), 'fault'],
      [at(3).toISOString(), 'fault'],
      [at(5).toISOString(), 'ok'],
    ]);
    expect(snapshot.events.map((e) => `${e.kind} ${e.condition}`)).toEqual([
      'raised printer.paper_out',
      'raised printer.cover_open',
      'cleared printer.cover_open',
      'cleared printer.paper_out',
    ]);
    expect(ring.stateSince('device:p')).toBe(at(5).toISOString());
    expect(ring.stateSince('device:other')).toBeNull();
  });

  it('forgets what lies before the window but keeps the state in effect at its start', () => {
    const ring = new HistoryRing({ windowMs: 60 * 60_000 });
    ring.observeState('network', 'fault', ['network.link_down'], at(0));
    ring.observeState('network', 'ok', [], at(10));
    ring.observeState('network', 'attention', ['network.degraded'], at(100));
    const snapshot = ring.snapshot(at(120));
    expect(snapshot.subjects.network!.changes.map((c) => c.state)).toEqual(['ok', 'attention']);
    expect(snapshot.events.map((e) => e.condition)).toEqual(['network.degraded']);
    expect(snapshot.from).toBe(at(60).toISOString());
  });

  it('aggregates latency per minute with failures counted apart', () => {
    const ring = new HistoryRing();
    ring.observeLatency('device:p', 10, new Date(t0 + 1_000));
    ring.observeLatency('device:p', 30, new Date(t0 + 2_000));
    ring.observeLatency('device:p', null, new Date(t0 + 3_000));
    ring.observeLatency('device:p', 5, new Date(t0 + 61_000));
    const latency = ring.snapshot(at(2)).subjects['device:p']!.latency;
    expect(latency).toEqual([
      { at: at(0).toISOString(), count: 2, avgMs: 20, maxMs: 30, failures: 1 },
      { at: at(1).toISOString(), count: 1, avgMs: 5, maxMs: 5, failures: 0 },
    ]);
  });

  it('stays bounded when a device flaps', () => {
    const ring = new HistoryRing({ maxChanges: 10, maxEvents: 20 });
    for (let i = 0; i < 1_000; i += 1) ring.observeState('device:p', i % 2 ? 'fault' : 'ok', i % 2 ? ['device.unreachable'] : [], new Date(t0 + i * 1000));
    const snapshot = ring.snapshot(new Date(t0 + 1_000_000));
    expect(snapshot.subjects['device:p']!.changes).toHaveLength(10);
    expect(snapshot.events).toHaveLength(20);
  });
});

describe('historyView', () => {
  it('positions segments and latency points as fractions of the window', () => {
    const ring = new HistoryRing({ windowMs: 100 * 60_000 });
    ring.observeState('device:p', 'ok', [], at(0));
    ring.observeState('device:p', 'fault', ['device.unreachable'], at(50));
    ring.observeLatency('device:p', 12, at(75));
    const view = historyView(ring.snapshot(at(100)));
    const subject = view.subjects.find((s) => s.subject === 'device:p')!;
    expect(subject.segments.map((s) => [s.state, s.x0, s.x1])).toEqual([
      ['ok', 0, 0.5],
      ['fault', 0.5, 1],
    ]);
    expect(subject.latency.points).toEqual([{ at: at(75).toISOString(), x: 0.75, w: 0.01, avgMs: 12, maxMs: 12, failures: 0 }]);
    expect(subject.latency.scaleMs).toBe(20);
  });

  it('starts the window at the agent\'s start when it has run for less than the window', () => {
    const ring = new HistoryRing({ windowMs: 24 * 3600_000 });
    ring.observeState('network', 'ok', [], at(0));
    ring.observeState('network', 'fault', ['network.link_down'], at(30));
    const view = historyView(ring.snapshot(at(60)), at(0).toISOString());
    expect(view.from).toBe(at(0).toISOString());
    expect(view.subjects[0]!.segments.map((s) => [s.x0, s.x1])).toEqual([
      [0, 0.5],
      [0.5, 1],
    ]);
  });

  it('rounds the latency scale up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 0.4, 3, 10, 11, 180, 420, 999, 1001].map(niceCeiling)).toEqual([1, 1, 5, 10, 20, 200, 500, 1000, 2000]);
  });
});
