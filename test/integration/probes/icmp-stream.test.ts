/**
 * The daemon's long-running ping (one `ping` per address, read line by line) against the real
 * system ping on loopback.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { probeTarget } from '../../../src/probes/network.js';
import { createPinger, type PingOutcome } from '../../../src/probes/ping.js';
import { createStreamingPinger, type StreamingPinger } from '../../../src/probes/ping-stream.js';
import type { IcmpResult } from '../../../src/probes/types.js';
import { InvalidProbeHostError } from '../../../src/probes/validate-host.js';
import { loopbackDeps, target } from './helpers/deps.js';
import { requireTools } from './helpers/tools.js';

/** Pids of this process's `ping` children that are still alive. */
async function pingChildren(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(join('/proc', entry, 'stat'), 'utf8').catch(() => '');
    const comm = /\((.*)\)/.exec(stat)?.[1];
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (comm === 'ping' && Number(fields[1]) === process.pid && fields[0] !== 'Z') pids.push(Number(entry));
  }
  return pids;
}

async function until<T>(what: string, probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const request = (address: string) => ({ address, count: 3, intervalMs: 200, waitMs: 1_000 });
const ran = (o: PingOutcome) => {
  if (o.kind !== 'ran') throw new Error(`expected ran, got ${JSON.stringify(o)}`);
  return o;
};

describe('streaming pinger (Linux iputils)', () => {
  let pinger: StreamingPinger | null = null;

  beforeAll(async () => {
    await requireTools({ ping: 'iputils-ping' });
  });
  afterEach(() => pinger?.close());

  it('keeps one ping per address running and hands each round the echoes since the last', async () => {
    pinger = createStreamingPinger({ spacingMs: 200, fallback: createPinger() });
    const first = ran(await pinger.ping(request('127.0.0.1'), AbortSignal.timeout(5_000)));
    expect(first.sent).toBeGreaterThanOrEqual(1);
    expect(first.received).toBe(first.sent);
    expect(first.rttsMs.every((ms) => typeof ms === 'number' && ms >= 0)).toBe(true);

    const firstPids = await pingChildren();
    expect(firstPids).toHaveLength(1);
    // Later rounds reuse the same process and never count an echo twice.
    let sent = first.sent;
    while (sent < 6) sent += ran(await pinger.ping(request('127.0.0.1'), AbortSignal.timeout(5_000))).sent;
    expect(await pingChildren()).toEqual(firstPids);

    ran(await pinger.ping(request('127.0.0.2'), AbortSignal.timeout(5_000)));
    expect(await pingChildren()).toHaveLength(2);

    pinger.close();
    await until('the ping processes to end', pingChildren, (pids) => pids.length === 0);
  });

  it('feeds the ICMP layer of a round like the per-round pinger does', async () => {
    pinger = createStreamingPinger({ spacingMs: 200, fallback: createPinger() });
    const result = await probeTarget(target({ port: 9, icmp: true }), { icmpCount: 3 }, loopbackDeps({ ping: pinger.ping }));
    const icmp = result.layers.find((l): l is IcmpResult => l.layer === 'icmp');
    expect(icmp).toMatchObject({ ok: true, method: 'icmp', lossPercent: 0 });
    expect(icmp!.received).toBeGreaterThanOrEqual(1);
  });

  it('hands rounds to the per-round pinger when the stream cannot run', async () => {
    const missing = '/nonexistent/posdiag-no-ping';
    pinger = createStreamingPinger({ spacingMs: 200, command: missing, fallback: createPinger({ command: missing }) });
    expect(await pinger.ping(request('127.0.0.1'), AbortSignal.timeout(5_000))).toEqual({
      kind: 'unavailable',
      code: 'ENOENT',
      reason: 'no ping program on PATH',
    });
  });

  it('refuses option-like and non-IP hosts before starting anything', async () => {
    pinger = createStreamingPinger({ spacingMs: 200, fallback: createPinger() });
    await expect(pinger.ping(request('-f'), AbortSignal.timeout(1_000))).rejects.toBeInstanceOf(InvalidProbeHostError);
    await expect(pinger.ping(request('example.invalid'), AbortSignal.timeout(1_000))).rejects.toBeInstanceOf(InvalidProbeHostError);
    expect(await pingChildren()).toHaveLength(0);
  });
});
