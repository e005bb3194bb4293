import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeTarget } from '../../../src/probes/network.js';
import { createPinger } from '../../../src/probes/ping.js';
import type { IcmpResult, TargetResult } from '../../../src/probes/types.js';
import { InvalidProbeHostError } from '../../../src/probes/validate-host.js';
import { loopbackDeps, target } from './helpers/deps.js';
import { tcpOpen, type Running } from './helpers/servers.js';
import { requireTools } from './helpers/tools.js';

const icmpOf = (r: TargetResult): IcmpResult => {
  const icmp = r.layers.find((l): l is IcmpResult => l.layer === 'icmp');
  if (icmp === undefined) throw new Error('no ICMP layer');
  return icmp;
};

describe('ICMP layer', () => {
  let open: Running;
  let dir: string;

  beforeAll(async () => {
    await requireTools({ ping: 'iputils-ping' });
    open = await tcpOpen();
    dir = await mkdtemp(join(tmpdir(), 'posdiag-icmp-'));
  });
  afterAll(async () => {
    await open?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('pings 127.0.0.1 with the system ping: method icmp, no loss, min/avg/max and jitter as numbers', async () => {
    const langBefore = process.env.LANG;
    const result = await probeTarget(target({ port: open.port, icmp: true }), { icmpCount: 4, icmpIntervalMs: 200 }, loopbackDeps());
    const icmp = icmpOf(result);
    expect(icmp).toMatchObject({ ok: true, method: 'icmp', fallbackReason: null, sent: 4, received: 4, lossPercent: 0 });
    expect(icmp.rttsMs).toHaveLength(4);
    for (const key of ['minMs', 'avgMs', 'maxMs', 'jitterMs'] as const) expect(typeof icmp[key]).toBe('number');
    expect(icmp.minMs!).toBeLessThanOrEqual(icmp.avgMs!);
    expect(icmp.avgMs!).toBeLessThanOrEqual(icmp.maxMs!);
    expect(result.window).toMatchObject({ method: 'icmp', sent: 4, received: 4, rounds: 1 });
    // The ping npm package 0.4.4 would have set LANG=C for the whole process here.
    expect(process.env.LANG).toBe(langBefore);
  });

  it('falls back to TCP connect RTT when there is no ping binary, and says so', async () => {
    const deps = loopbackDeps({ ping: createPinger({ command: join(dir, 'no-such-ping') }) });
    const result = await probeTarget(target({ port: open.port, icmp: true }), { icmpCount: 3 }, deps);
    expect(icmpOf(result)).toMatchObject({ ok: true, method: 'tcp', fallbackReason: 'no ping program on PATH', sent: 3, received: 3 });
    expect(result.window?.method).toBe('tcp');
    expect(result.verdict.status).toBe('ok');
  });

  it('falls back when ping may not open its socket (exit 2, "Operation not permitted")', async () => {
    const fake = join(dir, 'eperm-ping');
    await writeFile(fake, '#!/bin/sh\necho "ping: socket: Operation not permitted" >&2\nexit 2\n');
    await chmod(fake, 0o755);
    const deps = loopbackDeps({ ping: createPinger({ command: fake }) });
    const result = await probeTarget(target({ port: open.port, icmp: true }), { icmpCount: 2 }, deps);
    expect(icmpOf(result)).toMatchObject({ method: 'tcp', fallbackReason: 'ping: socket: Operation not permitted', received: 2 });
  });

  it('ICMP failing alone never makes the acquirer unreachable', async () => {
    const fake = join(dir, 'silent-ping');
    await writeFile(fake, '#!/bin/sh\nexit 1\n'); // iputils: ran, no reply
    await chmod(fake, 0o755);
    const deps = loopbackDeps({ ping: createPinger({ command: fake }) });
    const result = await probeTarget(target({ port: open.port, icmp: true }), {}, deps);
    expect(icmpOf(result)).toMatchObject({ ok: false, method: 'icmp', received: 0, lossPercent: 100, code: 'NO_REPLY' });
    expect(result.verdict).toMatchObject({ status: 'ok', conditions: [] });
  });

  it('refuses a config host "-f" with a clear error before sending anything', async () => {
    const bad = target({ host: '-f', port: open.port, icmp: true });
    const attempt = probeTarget(bad, {}, loopbackDeps());
    await expect(attempt).rejects.toBeInstanceOf(InvalidProbeHostError);
    await expect(attempt).rejects.toThrow('host "-f" starts with "-": it would be read as a command-line option; use a host name or IP address');
  });
});
