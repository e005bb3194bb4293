import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DURATION_PATTERN, formatDuration, parseDuration } from '../../../src/config/duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['0ms', 0],
    ['1s', 1_000],
    ['10s', 10_000],
    ['5m', 300_000],
    ['24h', 86_400_000],
    ['1h30m', 5_400_000],
    ['1h30m15s250ms', 5_415_250],
    ['1m30s', 90_000],
    // Decimals are allowed when the result is a whole number of milliseconds.
    ['1.5s', 1_500],
    ['0.25h', 900_000],
    ['1.1s', 1_100], // exact, not 1100.0000000000002
    ['0.001s', 1],
    ['007s', 7_000],
  ])('%s → %i ms', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ok: true, ms });
  });

  it.each([
    ['', 'is empty; write a duration such as 500ms, 10s, 5m or 1h30m'],
    ['1000', "has no unit (got 1000); write it with one, e.g. 1000ms or 1000s"],
    ['1.5', 'has no unit (got 1.5); write it with one, e.g. 1.5ms or 1.5s'],
    ['1m30', "'1m30' ends in a number without a unit; add one after 30 (ms, s, m or h)"],
    ['10sec', "has an unknown unit 'sec' in '10sec'; use ms, s, m or h"],
    ['10S', "has an unknown unit 'S' in '10S'; use ms, s, m or h"],
    ['1d', "has an unknown unit 'd' in '1d'; use ms, s, m or h"],
    ['30m1h', "must list units from largest to smallest, each once, like 1h30m (got '30m1h')"],
    ['1s1s', "must list units from largest to smallest, each once, like 1h30m (got '1s1s')"],
    ['1h 30m', "must not contain spaces (got '1h 30m')"],
    ['-1s', "must not be negative (got '-1s')"],
    ['1.5ms', "is finer than a millisecond (got '1.5ms'); durations count whole milliseconds"],
    ['.5s', "must be a duration such as 500ms, 10s, 5m or 1h30m (got '.5s')"],
    ['s', "must be a duration such as 500ms, 10s, 5m or 1h30m (got 's')"],
    ['9999999999999h', "is too long (got '9999999999999h')"],
  ])('refuses %j', (text, reason) => {
    expect(parseDuration(text)).toEqual({ ok: false, reason });
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [250, '250ms'],
    [1_000, '1s'],
    [1_500, '1s500ms'],
    [90_000, '1m30s'],
    [5_400_000, '1h30m'],
    [86_400_000, '24h'],
  ])('%i → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('is undone by parseDuration for every whole number of milliseconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 86_400_000 }), (ms) => {
        const text = formatDuration(ms);
        expect(DURATION_PATTERN.test(text)).toBe(true);
        expect(parseDuration(text)).toEqual({ ok: true, ms });
      }),
    );
  });
});
