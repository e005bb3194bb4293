import { describe, expect, it } from 'vitest';
import { InvalidProbeHostError, assertProbeHost, validateProbeHost } from '../../../src/probes/validate-host.js';

describe('validateProbeHost', () => {
  it.each([
    'pay.example.com',
    'pay.example.com.',
    'localhost',
    'a-b.c-d.example',
    'xn--bcher-kva.example',
    '192.0.2.10',
    '2001:db8::1',
    '::1',
  ])('accepts %s', (host) => {
    expect(validateProbeHost(host)).toBeNull();
  });

  it.each([
    ['-f', 'host "-f" starts with "-": it would be read as a command-line option; use a host name or IP address'],
    ['-i0.001', 'host "-i0.001" starts with "-": it would be read as a command-line option; use a host name or IP address'],
    ['', 'host is empty'],
    ['pay.example.com -f', 'host "pay.example.com -f" may contain only letters, digits, "-" and "." (or be an IP address)'],
    ['pay;reboot', 'host "pay;reboot" may contain only letters, digits, "-" and "." (or be an IP address)'],
    ['pay\nexample', 'host "pay\\nexample" may contain only letters, digits, "-" and "." (or be an IP address)'],
    ['pay_1.example', 'host "pay_1.example" may contain only letters, digits, "-" and "." (or be an IP address)'],
    ['pay..example', 'host "pay..example" has an invalid label "" (1-63 letters, digits or "-", not starting or ending with "-")'],
    ['pay-.example', 'host "pay-.example" has an invalid label "pay-" (1-63 letters, digits or "-", not starting or ending with "-")'],
    ['127.1', 'host "127.1" looks like an IPv4 address but is not a valid one'],
    ['0x7f.1', 'host "0x7f.1" looks like an IPv4 address but is not a valid one'],
    ['256.1.1.1', 'host "256.1.1.1" looks like an IPv4 address but is not a valid one'],
    ['2001:db8::zz', 'host "2001:db8::zz" is not a valid IPv6 address'],
    ['fe80::1%eth0', 'host "fe80::1%eth0": IPv6 zone ids are not supported'],
  ])('refuses %j', (host, message) => {
    expect(validateProbeHost(host)).toBe(message);
  });

  it('refuses non-strings and over-long names', () => {
    expect(validateProbeHost(42)).toBe('host must be a string, got number');
    expect(validateProbeHost(`${'a'.repeat(60)}.`.repeat(5))).toMatch(/is longer than 253 characters$/);
  });

  it('assertProbeHost throws a typed error with the same words', () => {
    expect(() => assertProbeHost('-f')).toThrow(InvalidProbeHostError);
    try {
      assertProbeHost('-f');
    } catch (error) {
      expect(error).toMatchObject({ code: 'INVALID_PROBE_HOST', host: '-f', message: validateProbeHost('-f') });
    }
  });
});
