import { describe, expect, it } from 'vitest';
import { RttWindow, RttWindows, summarizeRtts } from '../../../src/probes/rtt-window.js';

describe('summarizeRtts', () => {
  it('loss, min/avg/max and jitter as the mean absolute difference of consecutive RTTs', () => {
    expect(summarizeRtts(5, 4, [10, 14, 12, 20])).toEqual({
      sent: 5,
      received: 4,
      lossPercent: 20,
      rttsMs: [10, 14, 12, 20],
      minMs: 10,
      avgMs: 14,
      maxMs: 20,
      jitterMs: 4.667, // (4 + 2 + 8) / 3
    });
  });

  it('no RTTs: nulls, and no division by zero', () => {
    expect(summarizeRtts(3, 0, [])).toMatchObject({ lossPercent: 100, minMs: null, avgMs: null, jitterMs: null });
    expect(summarizeRtts(0, 0, []).lossPercent).toBe(0);
    expect(summarizeRtts(1, 1, [5]).jitterMs).toBeNull();
  });
});

describe('RttWindow', () => {
  const sample = (at: number, received: number, rttsMs: number[], method: 'icmp' | 'tcp' = 'icmp') => ({ at, method, sent: 3, received, rttsMs });

  it('sums rounds inside the window and drops older ones (injected clock)', () => {
    const w = new RttWindow();
    w.add(sample(0, 3, [1, 1, 1]));
    w.add(sample(10_000, 1, [5]));
    expect(w.stats(10_000, 60_000)).toMatchObject({ rounds: 2, sent: 6, received: 4, lossPercent: 33.333, minMs: 1, maxMs: 5, spanMs: 10_000, method: 'icmp' });
    expect(w.stats(65_000, 60_000)).toMatchObject({ rounds: 1, sent: 3, received: 1, spanMs: 55_000 });
    expect(w.stats(200_000, 60_000)).toBeNull();
  });

  it('a change of method starts afresh', () => {
    const w = new RttWindow();
    w.add(sample(0, 0, []));
    w.add(sample(1, 3, [2, 2, 2], 'tcp'));
    expect(w.stats(1, 60_000)).toMatchObject({ method: 'tcp', rounds: 1, lossPercent: 0 });
  });

  it('keeps at most maxRounds', () => {
    const w = new RttWindow(2);
    for (let i = 0; i < 5; i++) w.add(sample(i, 3, [i]));
    expect(w.stats(5, 60_000)).toMatchObject({ rounds: 2, rttsMs: [3, 4] });
  });

  it('RttWindows keeps one window per target and forgets removed targets', () => {
    const all = new RttWindows();
    all.get('a').add(sample(0, 3, [1]));
    expect(all.get('a')).toBe(all.get('a'));
    expect(all.get('b').stats(0, 1)).toBeNull();
    all.retain(['b']);
    expect(all.get('a').stats(0, 1)).toBeNull();
  });
});
