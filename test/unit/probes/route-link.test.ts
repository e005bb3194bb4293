import { describe, expect, it } from 'vitest';
import { judgeLink, type InterfaceInfo } from '../../../src/probes/link.js';
import { parseProcNetIpv6Route, parseProcNetRoute } from '../../../src/probes/route.js';

const ROUTE = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0
eth0\t00000000\t010012C6\t0003\t0\t0\t100\t00000000\t0\t0\t0
eth0\t000012C6\t00000000\t0001\t0\t0\t0\tFCFFFFFF\t0\t0\t0
`;

describe('default route parsing', () => {
  it('/proc/net/route: lowest-metric default, little-endian gateway', () => {
    expect(parseProcNetRoute(ROUTE)).toEqual({ gateway: '198.18.0.1', interface: 'eth0', family: 4 });
  });

  it('no default route, or one without RTF_UP', () => {
    const noDefault = ROUTE.split('\n').filter((l) => !/^\w+\t00000000\t/.test(l)).join('\n');
    expect(noDefault).toContain('FCFFFFFF');
    expect(parseProcNetRoute(noDefault)).toBeNull();
    expect(parseProcNetRoute('Iface\tDestination\nppp0\t00000000\t00000000\t0000\t0\t0\t0\t00000000\t0\t0\t0\n')).toBeNull();
  });

  it('on-link default route (ppp): no gateway address', () => {
    expect(parseProcNetRoute('h\nppp0\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0\n')).toEqual({ gateway: null, interface: 'ppp0', family: 4 });
  });

  it('/proc/net/ipv6_route', () => {
    const text = [
      'fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0',
      '00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth0',
      '00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo',
    ].join('\n');
    expect(parseProcNetIpv6Route(text)).toEqual({ gateway: 'fd00:0000:0000:0000:0000:0000:0000:0001', interface: 'eth0', family: 6 });
  });
});

const iface = (name: string, operstate: string | null, addresses: string[] = ['198.18.0.2'], internal = false): InterfaceInfo => ({ name, operstate, addresses, internal });

describe('judgeLink', () => {
  it('the default route interface up → ok', () => {
    expect(judgeLink([iface('lo', 'unknown', ['127.0.0.1'], true), iface('eth0', 'up')], { gateway: 'g', interface: 'eth0', family: 4 })).toEqual({
      ok: true, code: null, reason: null, active: ['eth0'], routeInterface: 'eth0',
    });
  });

  it('the default route interface down → link down even if another interface is up', () => {
    const v = judgeLink([iface('eth0', 'down'), iface('docker0', 'up')], { gateway: 'g', interface: 'eth0', family: 4 });
    expect(v).toMatchObject({ ok: false, code: 'ROUTE_INTERFACE_DOWN', reason: 'default route interface eth0 is down', active: ['docker0'] });
  });

  it('no default route: any active interface will do', () => {
    expect(judgeLink([iface('wlan0', 'dormant'), iface('eth0', 'up')], null).ok).toBe(true);
    expect(judgeLink([iface('lo', 'unknown', ['127.0.0.1'], true), iface('eth0', 'up', [])], null)).toMatchObject({
      ok: false,
      code: 'NO_ACTIVE_INTERFACE',
      reason: 'no active network interface (cable unplugged or Wi-Fi off?)',
    });
  });

  it('"unknown" operstate (ppp, tun, wwan) with an address counts as up; null (non-Linux) too', () => {
    expect(judgeLink([iface('ppp0', 'unknown')], null).ok).toBe(true);
    expect(judgeLink([iface('en0', null)], null).ok).toBe(true);
  });
});
