/**
 * Network-namespace tests: a real default gateway and real packet loss, in namespaces this file
 * creates and deletes (see helpers/netns.ts). They need root and the tools ip (iproute2),
 * nft (nftables) and ping (iputils-ping).
 *
 * Without root they are skipped on a developer machine, and fail in CI (CI runs as root, so a
 * missing root there is a broken setup, not a reason to skip). Missing tools always fail, naming
 * the package to install.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IcmpResult, ProbeTarget } from '../../../src/probes/types.js';
import { ACQUIRER_ADDR, GATEWAY_ADDR, NetnsLab } from './helpers/netns.js';
import { requireTools } from './helpers/tools.js';

const isRoot = process.getuid?.() === 0;
const inCi = Boolean(process.env.CI);

const ACQUIRER_PORT = 8443;
const acquirer: ProbeTarget = { name: 'acquirer', host: ACQUIRER_ADDR, port: ACQUIRER_PORT, tls: false, icmp: true };

describe.skipIf(!isRoot && !inCi)('network path in network namespaces (root)', () => {
  const lab = new NetnsLab();

  beforeAll(async () => {
    if (!isRoot) throw new Error('the netns probe tests need root (CI runs as root); run them as root');
    await requireTools({ ip: 'iproute2', nft: 'nftables', ping: 'iputils-ping' });
    await lab.setUp();
    await lab.startAcquirer(ACQUIRER_PORT);
  }, 60_000);

  afterAll(async () => {
    await lab.tearDown();
  }, 60_000);

  it('baseline: link, gateway and acquirer all fine', async () => {
    const result = await lab.probe([acquirer], { timeoutMs: 1_500, icmpCount: 5, icmpIntervalMs: 20 });
    expect(result.link).toMatchObject({ ok: true, routeInterface: lab.client });
    expect(result.gateway).toMatchObject({ ok: true, method: 'icmp', gateway: GATEWAY_ADDR });
    expect(result.targets[0]!.layers.map((l) => `${l.layer}:${l.ok}`)).toEqual(['dns:true', 'icmp:true', 'tcp:true']);
    expect(result.verdict).toMatchObject({ status: 'ok', conditions: [] });
  });

  it('gateway gone: network.gateway_unreachable for the target and overall', async () => {
    await lab.removeGateway();
    try {
      const result = await lab.probe([acquirer], { timeoutMs: 1_500, icmpCount: 2, icmpIntervalMs: 20 });
      expect(result.link.ok).toBe(true);
      expect(result.gateway).toMatchObject({ ok: false, method: 'tcp', gateway: GATEWAY_ADDR });
      expect(result.gateway.reason).toMatch(/^gateway 198\.18\.0\.1 does not answer: no ICMP echo reply; TCP port 53: /);
      expect(result.targets[0]!.layers.find((l) => l.layer === 'tcp')?.ok).toBe(false);
      expect(result.targets[0]!.verdict).toMatchObject({ status: 'down', failedLayer: 'gateway', conditions: ['network.gateway_unreachable'] });
      expect(result.verdict).toMatchObject({ status: 'down', failedLayer: 'gateway', conditions: ['network.gateway_unreachable'] });
    } finally {
      await lab.restoreGateway();
    }
  });

  it('50 % ICMP loss to the acquirer: network.degraded (TCP still fine)', async () => {
    await lab.dropIcmpToAcquirer(50);
    try {
      // 60 echoes: the chance of seeing under 20 % or over 80 % loss at p = 0.5 is about 2e-6.
      const result = await lab.probe([acquirer], {
        timeoutMs: 1_500,
        icmpCount: 60,
        icmpIntervalMs: 20,
        lossThresholdPercent: 20,
        minLossSamples: 10,
      });
      const icmp = result.targets[0]!.layers.find((l): l is IcmpResult => l.layer === 'icmp')!;
      expect(icmp).toMatchObject({ method: 'icmp', sent: 60 });
      expect(icmp.lossPercent).toBeGreaterThanOrEqual(20);
      expect(icmp.lossPercent).toBeLessThanOrEqual(80);
      expect(result.targets[0]!.layers.find((l) => l.layer === 'tcp')?.ok).toBe(true);
      expect(result.targets[0]!.verdict).toMatchObject({ status: 'degraded', failedLayer: null, conditions: ['network.degraded'] });
      expect(result.targets[0]!.verdict.reason).toMatch(/^\d+(\.\d+)?% loss over the last 60 echo requests \(threshold 20%\)$/);
      expect(result.verdict).toMatchObject({ status: 'degraded', conditions: ['network.degraded'] });
    } finally {
      await lab.clearChaos();
    }
  });

  it('the daemon\'s long-running ping counts lost echoes too (50 % dropped)', async () => {
    await lab.dropIcmpToAcquirer(50);
    try {
      // 40 echoes at 200 ms spacing: P(under 15 % or over 85 % loss) at p = 0.5 is below 1e-5.
      const rounds = await lab.streamEchoes(ACQUIRER_ADDR, 200, 40);
      expect(rounds.every((r) => r.kind === 'ran')).toBe(true);
      const sent = rounds.reduce((n, r) => n + (r.sent as number), 0);
      const received = rounds.reduce((n, r) => n + (r.received as number), 0);
      expect(sent).toBeGreaterThanOrEqual(40);
      const lossPercent = (100 * (sent - received)) / sent;
      expect(lossPercent).toBeGreaterThanOrEqual(15);
      expect(lossPercent).toBeLessThanOrEqual(85);
    } finally {
      await lab.clearChaos();
    }
  }, 60_000);
});
