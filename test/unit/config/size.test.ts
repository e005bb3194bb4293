import { describe, expect, it } from 'vitest';
import { formatConfigError, parseConfigText } from '../../../src/config/index.js';
import { formatSize, parseSize } from '../../../src/config/size.js';

describe('sizes in the config', () => {
  it.each([
    ['512KB', 512 * 1024],
    ['10MB', 10 * 1024 ** 2],
    ['1GB', 1024 ** 3],
    ['10', null],
    ['10mb', null],
    ['1.5MB', null],
  ])('%s → %s bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it('formats whole units back', () => {
    expect(formatSize(64 * 1024)).toBe('64KB');
    expect(formatSize(1024 ** 3)).toBe('1GB');
  });

  it('log.maxSize and log.maxFiles are checked with file:line key messages', () => {
    const result = parseConfigText('log:\n  file: /var/log/posdiag/posdiag.log\n  maxSize: 10\n  maxFiles: 0\n', 'p.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map(formatConfigError)).toEqual([
      'p.yaml:3 log.maxSize: must be a size such as 512KB, 10MB or 1GB (got 10)',
      expect.stringMatching(/^p\.yaml:4 log\.maxFiles: /),
    ]);
  });

  it('accepts a rotated log file', () => {
    const result = parseConfigText('log:\n  file: logs/posdiag.log\n  maxSize: 1MB\n  maxFiles: 3\n', 'p.yaml');
    expect(result.ok && result.config.log).toEqual({ level: 'info', format: 'auto', file: 'logs/posdiag.log', maxSize: 1024 ** 2, maxFiles: 3 });
  });
});
