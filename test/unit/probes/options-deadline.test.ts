import { describe, expect, it } from 'vitest';
import { DeadlineError, raceAbort, withDeadline } from '../../../src/probes/deadline.js';
import { describeError } from '../../../src/probes/errors.js';
import { DEFAULT_PROBE_OPTIONS, resolveProbeOptions } from '../../../src/probes/options.js';

describe('resolveProbeOptions', () => {
  it('fills defaults', () => {
    expect(resolveProbeOptions()).toEqual(DEFAULT_PROBE_OPTIONS);
    expect(resolveProbeOptions({ timeoutMs: 800 })).toMatchObject({ timeoutMs: 800, tlsExpiryWarningDays: 14 });
  });

  it.each([
    [{ timeoutMs: 0 }, 'probe option timeoutMs must be a number >= 1, got 0'],
    [{ lossThresholdPercent: Number.NaN }, 'probe option lossThresholdPercent must be a number >= 0, got NaN'],
    [{ lossThresholdPercent: 101 }, 'probe option lossThresholdPercent must be <= 100, got 101'],
    [{ icmpCount: 2.5 }, 'probe option icmpCount must be an integer, got 2.5'],
    [{ icmpIntervalMs: 1 }, 'probe option icmpIntervalMs must be a number >= 10, got 1'],
    [{ gatewayTcpPort: 70_000 }, 'probe option gatewayTcpPort must be <= 65535, got 70000'],
  ])('refuses %j', (input, message) => {
    expect(() => resolveProbeOptions(input)).toThrow(new TypeError(message));
  });
});

describe('withDeadline', () => {
  it('rejects with a DeadlineError at the deadline even if the work never settles, and aborts its signal', async () => {
    let seen: AbortSignal | undefined;
    const attempt = withDeadline(20, undefined, (signal) => {
      seen = signal;
      return new Promise<never>(() => undefined);
    });
    await expect(attempt).rejects.toBeInstanceOf(DeadlineError);
    await expect(attempt).rejects.toThrow('no answer within 20 ms');
    expect(seen?.aborted).toBe(true);
  });

  it('passes a parent abort through with its reason', async () => {
    const parent = new AbortController();
    const attempt = withDeadline(10_000, parent.signal, () => new Promise<never>(() => undefined));
    parent.abort(new Error('cancelled'));
    await expect(attempt).rejects.toThrow('cancelled');
  });

  it('returns the value when the work is quicker', async () => {
    await expect(withDeadline(1_000, undefined, async () => 42)).resolves.toBe(42);
  });

  it('raceAbort on an already aborted signal rejects at once', async () => {
    const c = new AbortController();
    c.abort(new Error('gone'));
    await expect(raceAbort(Promise.resolve(1), c.signal)).rejects.toThrow('gone');
  });
});

describe('describeError', () => {
  it('branches on the code, not on message text', () => {
    expect(describeError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'TCP connect to a:1')).toEqual({
      code: 'ECONNREFUSED',
      reason: 'TCP connect to a:1: connection refused: the host answered but nothing listens on that port',
    });
    expect(describeError(new DeadlineError(300), 'x')).toEqual({ code: 'ETIMEDOUT', reason: 'x: no answer within 300 ms' });
    expect(describeError('weird', 'x')).toEqual({ code: 'EUNKNOWN', reason: 'x: weird' });
  });
});
