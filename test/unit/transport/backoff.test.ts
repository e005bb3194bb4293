import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../src/transport/backoff.js';

describe('backoffDelay', () => {
  it('doubles per attempt with half of the delay jittered', () => {
    expect(backoffDelay(0, 250, 10_000, () => 0)).toBe(125);
    expect(backoffDelay(0, 250, 10_000, () => 1)).toBe(250);
    expect(backoffDelay(3, 250, 10_000, () => 1)).toBe(2_000);
    expect(backoffDelay(3, 250, 10_000, () => 0.5)).toBe(1_500);
  });

  it('never exceeds the cap, however many attempts failed', () => {
    for (const attempt of [6, 10, 100, 10_000]) {
      expect(backoffDelay(attempt, 250, 10_000, () => 1)).toBe(10_000);
      expect(backoffDelay(attempt, 250, 10_000, () => 0)).toBe(5_000);
    }
  });
});
