import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerResolver, createSystemResolver } from '../../../src/probes/dns.js';
import { probeTarget } from '../../../src/probes/network.js';
import type { DnsResult, TargetResult } from '../../../src/probes/types.js';
import { loopbackDeps, target } from './helpers/deps.js';
import { fakeDns, tcpOpen, type Running } from './helpers/servers.js';

const dnsOf = (r: TargetResult): DnsResult => r.layers[0] as DnsResult;

describe('DNS layer', () => {
  let dns: Awaited<ReturnType<typeof fakeDns>>;
  let open: Running;

  beforeAll(async () => {
    [dns, open] = await Promise.all([fakeDns(), tcpOpen()]);
  });
  afterAll(async () => {
    await Promise.all([dns?.close(), open?.close()]);
  });

  const deps = () => loopbackDeps({ resolver: createServerResolver([dns.server], 1_000) });

  it('a .invalid name fails with NXDOMAIN: dns_failure, every later layer skipped', async () => {
    const t = target({ host: 'pay.acquirer.invalid', port: open.port, tls: true, icmp: true, http: { path: '/', expectStatus: 200 } });
    const result = await probeTarget(t, { timeoutMs: 2_000 }, deps());
    expect(dnsOf(result)).toMatchObject({ ok: false, method: 'dns-server', code: 'ENOTFOUND', addresses: [], address: null });
    expect(dnsOf(result).reason).toBe('resolving pay.acquirer.invalid: the name does not exist (NXDOMAIN)');
    expect(result.layers).toHaveLength(1);
    expect(result.skipped.map((s) => s.layer)).toEqual(['icmp', 'tcp', 'tls', 'http']);
    expect(result.verdict).toMatchObject({ status: 'down', failedLayer: 'dns', conditions: ['network.dns_failure'] });
    expect(dns.queries).toContain('pay.acquirer.invalid');
  });

  it('a name that resolves: address used by the next layers, lookup time reported', async () => {
    const result = await probeTarget(target({ host: 'acquirer.test', port: open.port }), { timeoutMs: 2_000 }, deps());
    expect(dnsOf(result)).toMatchObject({ ok: true, addresses: ['127.0.0.1'], address: '127.0.0.1' });
    expect(dnsOf(result).durationMs).toBeGreaterThan(0);
    expect(result.layers[1]).toMatchObject({ layer: 'tcp', ok: true, address: '127.0.0.1' });
  });

  it('a DNS server that never answers: dns_failure at the deadline', async () => {
    const result = await probeTarget(target({ host: 'pay.silent.test', port: open.port }), { timeoutMs: 300 }, deps());
    expect(dnsOf(result)).toMatchObject({ ok: false, code: 'ETIMEDOUT' });
    expect(dnsOf(result).durationMs).toBeLessThan(1_500);
    expect(result.verdict.conditions).toEqual(['network.dns_failure']);
  });

  it('an IP literal needs no lookup', async () => {
    const result = await probeTarget(target({ host: '127.0.0.1', port: open.port }), {}, deps());
    expect(dnsOf(result)).toMatchObject({ ok: true, method: 'literal', durationMs: 0, address: '127.0.0.1' });
  });

  it('the system resolver (getaddrinfo) resolves localhost from the hosts file', async () => {
    const result = await probeTarget(target({ host: 'localhost', port: open.port }), { timeoutMs: 2_000 }, loopbackDeps({ resolver: createSystemResolver() }));
    expect(dnsOf(result)).toMatchObject({ ok: true, method: 'system-resolver' });
    expect(dnsOf(result).addresses.every((a) => a === '127.0.0.1' || a === '::1')).toBe(true);
  });

  it('the system resolver shares one in-flight lookup per name', async () => {
    const resolver = createSystemResolver();
    const signal = new AbortController().signal;
    const [a, b] = await Promise.all([resolver.resolve('localhost', signal), resolver.resolve('localhost', signal)]);
    expect(a).toBe(b);
  });
});
