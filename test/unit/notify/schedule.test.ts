import { describe, expect, it } from 'vitest';
import { afterFailure, dueRows, retryDelay } from '../../../src/notify/schedule.js';
import { alertState, outboxRow } from '../store/helpers.js';

const policy = { initialDelayMs: 1_000, maxDelayMs: 300_000 };

describe('outbox scheduling', () => {
  it('doubles the delay per failure up to the cap, with jitter between half and all of it', () => {
    const top = () => 0.999_999;
    expect([1, 2, 3, 4].map((n) => retryDelay(n, policy, top))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(retryDelay(9, policy, top)).toBe(256_000);
    expect(retryDelay(10, policy, top)).toBe(300_000);
    expect(retryDelay(10_000, policy, top)).toBe(300_000);
    expect(retryDelay(1, policy, () => 0)).toBe(500);
    for (let n = 1; n < 40; n += 1) {
      const d = retryDelay(n, policy, Math.random);
      expect(d).toBeGreaterThanOrEqual(500);
      expect(d).toBeLessThanOrEqual(300_000);
    }
  });

  it('sends per alert in order: only the oldest row of each alert is due', () => {
    const a = alertState('printer-1/printer.paper_out');
    const b = alertState('printer-1/printer.cover_open');
    const rows = [outboxRow(3, a, 'resolved'), outboxRow(1, a, 'firing'), outboxRow(2, b, 'firing'), outboxRow(4, b, 'resolved')];
    expect(dueRows(rows, 10).due.map((r) => r.id)).toEqual([1, 2]);
  });

  it('a waiting row holds back later rows of its alert but not other alerts, and says when to wake', () => {
    const a = alertState('printer-1/printer.paper_out');
    const b = alertState('printer-1/printer.cover_open');
    const rows = [{ ...outboxRow(1, a), nextAttemptAt: 5_000 }, outboxRow(2, a, 'resolved'), outboxRow(3, b)];
    expect(dueRows(rows, 1_000)).toEqual({ due: [rows[2]], wakeAtMs: 5_000 });
    expect(dueRows(rows, 5_000).due.map((r) => r.id)).toEqual([1, 3]);
    expect(dueRows([], 0)).toEqual({ due: [], wakeAtMs: null });
  });

  it('a failure counts the attempt, keeps the error, and pushes the next attempt back', () => {
    const row = outboxRow(1, alertState('printer-1/printer.paper_out'));
    const once = afterFailure(row, 'ECONNREFUSED', 10_000, policy, () => 0.999_999);
    expect(once).toMatchObject({ attempts: 1, lastError: 'ECONNREFUSED', nextAttemptAt: 11_000 });
    const twice = afterFailure(once, 'HTTP 500: oops', 11_000, policy, () => 0.999_999);
    expect(twice).toMatchObject({ attempts: 2, nextAttemptAt: 13_000 });
    expect(afterFailure(row, 'x'.repeat(2000), 0, policy, Math.random).lastError).toHaveLength(500);
  });
});
