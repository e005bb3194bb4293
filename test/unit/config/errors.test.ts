import { describe, expect, it } from 'vitest';
import { formatConfigError, formatKeyPath } from '../../../src/config/errors.js';

describe('formatConfigError', () => {
  const base = { file: 'path/to/posdiag.yaml', column: 3, message: 'must be one of 1200, 2400 (got 9601)' };

  it.each([
    [{ ...base, line: 12, key: 'devices[0].transport.baudRate' }, 'path/to/posdiag.yaml:12 devices[0].transport.baudRate: must be one of 1200, 2400 (got 9601)'],
    [{ ...base, line: 4, key: '' }, 'path/to/posdiag.yaml:4: must be one of 1200, 2400 (got 9601)'],
    [{ ...base, line: null, column: null, key: '' }, 'path/to/posdiag.yaml: must be one of 1200, 2400 (got 9601)'],
    [{ ...base, line: null, column: null, key: 'http' }, 'path/to/posdiag.yaml http: must be one of 1200, 2400 (got 9601)'],
  ])('%o', (error, text) => {
    expect(formatConfigError(error)).toBe(text);
  });
});

describe('formatKeyPath', () => {
  it.each([
    [[], ''],
    [['http'], 'http'],
    [['devices', 0, 'transport', 'baudRate'], 'devices[0].transport.baudRate'],
    [['network', 'targets', 12, 'host'], 'network.targets[12].host'],
    [['devices', 0, 'options', 'odd key'], 'devices[0].options["odd key"]'],
    [['storage', '1'], 'storage["1"]'],
    [['storage', 'a.b'], 'storage["a.b"]'],
  ])('%j → %s', (segments, text) => {
    expect(formatKeyPath(segments)).toBe(text);
  });
});
