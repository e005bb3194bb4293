import { describe, expect, it } from 'vitest';
import { parseDuration, zvtOptionsSchema } from '../../../../drivers/zvt/options.js';

describe('zvt option durations', () => {
  it('read like the rest of the config, compound values included', () => {
    expect(['500ms', '30s', '5m', '26h', '1h30m', '2d', '1d2h', '5ms'].map(parseDuration)).toEqual([
      500, 30_000, 300_000, 93_600_000, 5_400_000, 172_800_000, 93_600_000, 5,
    ]);
  });

  it('refuse what is not a duration, in the schema and in the parser', () => {
    for (const text of ['', '30m1h', '5', '1.5s', 'ms', '2 h']) {
      expect(() => parseDuration(text), text).toThrow(RangeError);
      expect(zvtOptionsSchema.safeParse({ settlementOverdueAfter: text }).success, text).toBe(false);
    }
  });
});
