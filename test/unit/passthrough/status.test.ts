import { describe, expect, it } from 'vitest';
import type { LineObservation } from '../../../drivers/model.js';
import { applyObservation, initialPassthroughStatus, transactionsFailing } from '../../../src/passthrough/status.js';

const payment = (outcome: Extract<LineObservation, { type: 'transaction' }>['outcome'], resultCode: number | null = null): LineObservation => ({
  type: 'transaction',
  kind: 'payment',
  outcome,
  resultCode,
  durationMs: 1_200,
  at: Date.UTC(2026, 11, 1, 12),
});

describe('passthrough status', () => {
  it('counts failures in a row: declined, refused and unfinished count, cancelled skips, approved clears', () => {
    let s = initialPassthroughStatus('pty:/run/posdiag/terminal-1', 'terminal', 3);
    for (const o of [payment('declined', 5), payment('cancelled', 0x6c), payment('refused', 0x9c)]) s = applyObservation(s, o);
    expect(s.transactions).toMatchObject({ declined: 1, cancelled: 1, refused: 1, failedInARow: 2 });
    expect(transactionsFailing(s)).toBe(false);
    s = applyObservation(s, payment('no-completion'));
    expect(s.transactions?.failedInARow).toBe(3);
    expect(transactionsFailing(s)).toBe(true);
    s = applyObservation(s, payment('approved', 0));
    expect(s.transactions).toMatchObject({ approved: 1, failedInARow: 0, last: { outcome: 'approved', resultCode: 0, at: '2026-12-01T12:00:00.000Z' } });
    expect(transactionsFailing(s)).toBe(false);
  });

  it('keeps the last end-of-day and counts receipts for a printer; a printer has no transactions', () => {
    let s = initialPassthroughStatus('tcp:127.0.0.1:9100', 'printer', 3);
    s = applyObservation(s, { type: 'receipt', at: 1 });
    s = applyObservation(s, { type: 'receipt', at: 2 });
    s = applyObservation(s, payment('declined'));
    expect(s).toMatchObject({ receipts: 2, transactions: null });
    expect(transactionsFailing(s)).toBe(false);
    s = applyObservation(s, { type: 'end-of-day', ok: false, resultCode: 0x77, at: Date.UTC(2026, 11, 1, 22) });
    expect(s.lastEndOfDay).toEqual({ at: '2026-12-01T22:00:00.000Z', ok: false, resultCode: 0x77 });
  });
});
