import { describe, expect, it } from 'vitest';
import { untilNextSlot } from '../../../src/transport/schedule-grid.js';

describe('untilNextSlot', () => {
  it('keeps one interval between poll starts in steady state, however long a poll took', () => {
    // Started on the grid at 5,000 ms, finished 110 ms later (a ZVT status read at 9600 baud).
    expect(untilNextSlot(5_000, 5_110, 1_000)).toBe(890);
    // A timer that fired 3 ms late still lands the next start back on the grid.
    expect(untilNextSlot(5_003, 5_020, 1_000)).toBe(980);
  });

  it('puts devices that connected at different moments on the same grid', () => {
    const a = 12_360 + untilNextSlot(12_345, 12_360, 1_000);
    const b = 12_725 + untilNextSlot(12_710, 12_725, 1_000);
    expect(a).toBe(13_000);
    expect(b).toBe(14_000); // 13,000 is less than half an interval away: one more interval
    expect((b - a) % 1_000).toBe(0);
  });

  it('never waits less than half an interval, nor more than one and a half, after a start', () => {
    for (let startedAt = 0; startedAt < 3_000; startedAt += 7) {
      const next = startedAt + 1 + untilNextSlot(startedAt, startedAt + 1, 1_000);
      expect(next - startedAt).toBeGreaterThan(500);
      expect(next - startedAt).toBeLessThanOrEqual(1_500);
      expect(next % 1_000).toBe(0);
    }
  });

  it('follows a poll that overran its slot at once', () => {
    expect(untilNextSlot(5_000, 6_200, 1_000)).toBe(0);
  });

  it('aligns intervals that divide each other: 500 ms polls meet 1 s polls every second', () => {
    expect(7_010 + untilNextSlot(7_000, 7_010, 1_000)).toBe(8_000);
    expect(7_610 + untilNextSlot(7_600, 7_610, 500)).toBe(8_000);
    expect(8_010 + untilNextSlot(8_000, 8_010, 500)).toBe(8_500);
  });
});
