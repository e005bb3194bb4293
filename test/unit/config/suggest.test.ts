import { describe, expect, it } from 'vitest';
import { closest, levenshtein } from '../../../src/config/suggest.js';

describe('levenshtein', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['pollIntervall', 'pollInterval', 1],
    ['baudrate', 'baudRate', 1],
  ])('%s ↔ %s = %i', (a, b, distance) => {
    expect(levenshtein(a, b)).toBe(distance);
    expect(levenshtein(b, a)).toBe(distance);
  });
});

describe('closest', () => {
  const keys = ['id', 'name', 'driver', 'transport', 'pollInterval', 'requestTimeout', 'reconnect'];
  it.each([
    ['pollIntervall', 'pollInterval'],
    ['PollInterval', 'pollInterval'],
    ['drivr', 'driver'],
    ['nme', 'name'],
    ['reconect', 'reconnect'],
    ['retention', null],
    ['xyz', null],
  ])('%s → %s', (word, expected) => {
    expect(closest(word, keys)).toBe(expected);
  });

  it('prefers the nearer candidate and, on a tie, the earlier one', () => {
    expect(closest('tcq', ['tcp', 'tls'])).toBe('tcp');
    expect(closest('ab', ['ac', 'ad'])).toBe('ac');
  });
});
