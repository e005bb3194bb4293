import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { explainHost, formatListenAddress, HOST_PATTERN, isLoopbackHost, parseListenAddress } from '../../../src/config/host.js';

describe('explainHost', () => {
  it.each(['pay.example.com', 'localhost', 'a', 'xn--mnchen-3ya.de', '10.0.0.1', '203.0.113.7', '::1', '2001:db8::7', '::ffff:192.0.2.1', 'PAY.Example.COM'])(
    'accepts %s',
    (host) => {
      expect(explainHost(host)).toBeNull();
      expect(HOST_PATTERN.test(host)).toBe(true);
    },
  );

  it.each([
    ['', 'it is empty'],
    ['-f', "'-f' starts with '-'"],
    ['--help', "'--help' starts with '-'"],
    ['pay example.com', "'pay example.com' contains a space"],
    ['pay.example.com\t', '"pay.example.com\\t" contains white space (a tab or line break)'],
    ['https://pay.example.com/', "'https://pay.example.com/' looks like a URL; write only the name, e.g. pay.example.com"],
    ['pay.example.com:443', "'pay.example.com:443' includes a port; put the port in port:"],
    ['2001:db8::g', "'2001:db8::g' is not a valid IPv6 address"],
    ['pay_gw.example.com', "'pay_gw.example.com' contains '_'"],
    ['pay..example.com', "'pay..example.com' has an empty part between dots"],
    ['pay.example.com.', "'pay.example.com.' has an empty part between dots"],
    ['pay-.example.com', "'pay-.example.com' has a part that starts or ends with '-'"],
    [`${'a'.repeat(64)}.com`, `'${'a'.repeat(57)}...' has a part longer than 63 characters`],
    ['999.1.1.1', "'999.1.1.1' is not a valid IPv4 address"],
    ['1.2.3', "'1.2.3' is not a valid IPv4 address"],
  ])('refuses %j', (host, reason) => {
    expect(explainHost(host)).toBe(`host must be a host name or IP address; ${reason}`);
  });

  it('never accepts anything ping could read as an option or that contains white space', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' })), (text) => {
        if (explainHost(text) === null) {
          expect(text.startsWith('-')).toBe(false);
          expect(/\s/.test(text)).toBe(false);
          expect(HOST_PATTERN.test(text)).toBe(true);
        }
      }),
    );
    fc.assert(fc.property(fc.string(), (rest) => explainHost(`-${rest}`) !== null));
  });
});

describe('parseListenAddress', () => {
  it.each([
    ['127.0.0.1:9137', { host: '127.0.0.1', port: 9137 }],
    ['[::1]:9137', { host: '::1', port: 9137 }],
    ['localhost:80', { host: 'localhost', port: 80 }],
    ['0.0.0.0:65535', { host: '0.0.0.0', port: 65535 }],
  ])('%s', (text, address) => {
    expect(parseListenAddress(text)).toEqual({ ok: true, address });
    expect(formatListenAddress(address)).toBe(text);
  });

  it('allows port 0 only when asked (tests listen on a free port)', () => {
    expect(parseListenAddress('127.0.0.1:0')).toEqual({ ok: false, reason: "port must be a number from 1 to 65535 (got '0')" });
    expect(parseListenAddress('127.0.0.1:0', { allowPortZero: true })).toEqual({ ok: true, address: { host: '127.0.0.1', port: 0 } });
  });

  it.each([
    ['9137', "needs a host before the port (got '9137'); e.g. 127.0.0.1:9137"],
    ['localhost', "must be host:port, e.g. 127.0.0.1:9137 (got 'localhost')"],
    ['::1:9137', "must put an IPv6 address in square brackets, e.g. [::1]:9137 (got '::1:9137')"],
    ['[fe80::zz]:9137', "'[fe80::zz]' is not a valid IPv6 address"],
    ['127.0.0.1:70000', "port must be a number from 1 to 65535 (got '70000')"],
    ['127.0.0.1:', "port must be a number from 1 to 65535 (got '')"],
    ['-l:9137', "host must be a host name or IP address; '-l' starts with '-'"],
  ])('refuses %j', (text, reason) => {
    expect(parseListenAddress(text)).toEqual({ ok: false, reason });
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.12.0.9', true],
    ['::1', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['localhost', true],
    ['LOCALHOST', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.10', false],
    ['posdiag.local', false],
  ])('%s → %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});
