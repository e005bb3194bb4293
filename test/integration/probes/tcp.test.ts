import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeTarget } from '../../../src/probes/network.js';
import { tcpBlackHole, tcpClosedPort, tcpOpen, type Running } from './helpers/servers.js';
import { loopbackDeps, target } from './helpers/deps.js';

describe('TCP layer against loopback servers', () => {
  let open: Running;
  let hole: Running;
  let closedPort: number;

  beforeAll(async () => {
    [open, hole, closedPort] = await Promise.all([tcpOpen(), tcpBlackHole(), tcpClosedPort()]);
  });
  afterAll(async () => {
    await Promise.all([open?.close(), hole?.close()]);
  });

  it('open port: connects, reports the connect time, verdict ok', async () => {
    const result = await probeTarget(target({ port: open.port }), { timeoutMs: 2_000 }, loopbackDeps());
    const tcp = result.layers.find((l) => l.layer === 'tcp');
    expect(tcp).toMatchObject({ ok: true, method: 'tcp', address: '127.0.0.1', port: open.port, code: null });
    expect(tcp?.layer === 'tcp' && tcp.connectMs).toBeGreaterThanOrEqual(0);
    expect(result.verdict).toMatchObject({ status: 'ok', conditions: [], failedLayer: null });
  });

  it('closed port: ECONNREFUSED at once, acquirer_unreachable, TLS and HTTP skipped', async () => {
    const t = target({ port: closedPort, tls: true, http: { path: '/', expectStatus: 200 } });
    const result = await probeTarget(t, { timeoutMs: 2_000 }, loopbackDeps());
    const tcp = result.layers.find((l) => l.layer === 'tcp');
    expect(tcp).toMatchObject({ ok: false, code: 'ECONNREFUSED' });
    expect(tcp?.reason).toContain(`TCP connect to 127.0.0.1:${closedPort}: connection refused`);
    expect(tcp!.durationMs).toBeLessThan(1_000);
    expect(result.skipped).toEqual([
      { layer: 'tls', because: 'tcp' },
      { layer: 'http', because: 'tcp' },
    ]);
    expect(result.verdict).toMatchObject({ status: 'down', failedLayer: 'tcp', conditions: ['network.acquirer_unreachable'] });
  });

  it('black-holed port (listener that never accepts): times out at the layer deadline', async () => {
    const result = await probeTarget(target({ port: hole.port }), { timeoutMs: 300 }, loopbackDeps());
    const tcp = result.layers.find((l) => l.layer === 'tcp');
    expect(tcp).toMatchObject({ ok: false, code: 'ETIMEDOUT' });
    expect(tcp?.reason).toContain('no answer within 300 ms');
    expect(tcp!.durationMs).toBeGreaterThanOrEqual(290);
    expect(tcp!.durationMs).toBeLessThan(2_000);
    expect(result.verdict.conditions).toEqual(['network.acquirer_unreachable']);
  });
});
