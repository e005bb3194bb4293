import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerResolver } from '../../../src/probes/dns.js';
import { probeNetworkPath } from '../../../src/probes/network.js';
import type { ProbeTarget } from '../../../src/probes/types.js';
import { makeTestPki, type TestPki } from './helpers/certs.js';
import { loopbackDeps } from './helpers/deps.js';
import { fakeDns, httpServer, tcpClosedPort, tcpOpen, type Running } from './helpers/servers.js';
import { requireTools } from './helpers/tools.js';

describe('probeNetworkPath on loopback', () => {
  let pki: TestPki;
  let dns: Awaited<ReturnType<typeof fakeDns>>;
  let https: Running;
  let open: Running;
  let closedPort: number;
  let acquirer: ProbeTarget;
  let backup: ProbeTarget;

  beforeAll(async () => {
    await requireTools({ ping: 'iputils-ping' });
    pki = await makeTestPki();
    [dns, https, open, closedPort] = await Promise.all([
      fakeDns(),
      httpServer((_req, res) => res.writeHead(204).end(), pki.valid),
      tcpOpen(),
      tcpClosedPort(),
    ]);
    acquirer = { name: 'acquirer', host: 'acquirer.test', port: https.port, tls: true, icmp: true, ca: pki.caFile, http: { path: '/ping', expectStatus: 204 } };
    backup = { name: 'backup', host: '127.0.0.1', port: open.port, tls: false, icmp: false };
  });
  afterAll(async () => {
    await Promise.all([dns?.close(), https?.close(), open?.close()]);
    await pki?.cleanup();
  });

  const deps = (overrides = {}) => loopbackDeps({ resolver: createServerResolver([dns.server], 1_000), ...overrides });

  it('all layers pass: link, gateway (ICMP to the loopback "gateway"), both targets ok', async () => {
    const result = await probeNetworkPath([acquirer, backup], { timeoutMs: 2_000 }, deps());
    expect(result.link.ok).toBe(true);
    expect(result.gateway).toMatchObject({ ok: true, method: 'icmp', gateway: '127.0.0.1' });
    expect(result.targets.map((t) => t.layers.map((l) => `${l.layer}:${l.ok}`))).toEqual([
      ['dns:true', 'icmp:true', 'tcp:true', 'tls:true', 'http:true'],
      ['dns:true', 'tcp:true'],
    ]);
    expect(result.verdict).toMatchObject({ status: 'ok', conditions: [], failedLayer: null });
    expect(result.targets.every((t) => t.verdict.status === 'ok')).toBe(true);
  });

  it('no default route and the acquirer unreachable: "your internet is down", for every target and overall', async () => {
    const down = { ...backup, port: closedPort };
    const result = await probeNetworkPath([down], { timeoutMs: 1_000 }, deps({ defaultRoute: async () => null }));
    expect(result.gateway).toMatchObject({ ok: false, code: 'NO_DEFAULT_ROUTE' });
    expect(result.verdict).toMatchObject({ status: 'down', failedLayer: 'gateway', conditions: ['network.gateway_unreachable'] });
    expect(result.targets[0]!.verdict.conditions).toEqual(['network.gateway_unreachable']);
  });

  it('a gateway probe failure is ignored when a target got through at TCP', async () => {
    const result = await probeNetworkPath([backup], { timeoutMs: 1_000 }, deps({ defaultRoute: async () => null }));
    expect(result.gateway.ok).toBe(false);
    expect(result.verdict.status).toBe('ok');
  });

  it('no active interface: link_down comes before everything else', async () => {
    const down = { ...backup, port: closedPort };
    const interfaces = async () => [{ name: 'eth0', operstate: 'down', internal: false, addresses: [] }];
    const defaultRoute = async () => ({ gateway: '127.0.0.1', interface: 'eth0', family: 4 as const });
    const result = await probeNetworkPath([down], { timeoutMs: 1_000 }, deps({ interfaces, defaultRoute }));
    expect(result.link).toMatchObject({ ok: false, code: 'ROUTE_INTERFACE_DOWN', reason: 'default route interface eth0 has no address' });
    expect(result.verdict).toMatchObject({ status: 'down', failedLayer: 'link', conditions: ['network.link_down'] });
  });

  it('one acquirer down, one fine: overall degraded, the failing one named', async () => {
    const result = await probeNetworkPath([acquirer, { ...backup, port: closedPort }], { timeoutMs: 2_000 }, deps());
    expect(result.targets.map((t) => t.verdict.status)).toEqual(['ok', 'down']);
    expect(result.verdict).toMatchObject({ status: 'degraded', failedLayer: 'tcp', conditions: ['network.acquirer_unreachable'] });
    expect(result.verdict.findings[0]?.target).toBe('backup');
  });

  it('the rolling window spans rounds when the same deps are reused', async () => {
    const shared = deps();
    await probeNetworkPath([acquirer], { timeoutMs: 2_000, icmpCount: 2 }, shared);
    const second = await probeNetworkPath([acquirer], { timeoutMs: 2_000, icmpCount: 2 }, shared);
    expect(second.targets[0]!.window).toMatchObject({ method: 'icmp', rounds: 2, sent: 4, received: 4, lossPercent: 0 });
  });
});
