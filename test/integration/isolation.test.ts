import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentUnderTest, startAgentProcess } from '../helpers/agent.js';
import { waitUntil } from '../helpers/wait.js';

// One slow device, one silent device and one missing port must not hold back a healthy
// device or the HTTP server: each device has its own session and timers.
describe('device isolation', () => {
  let dir: string;
  let agent: AgentUnderTest;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-iso-'));
    agent = await startAgentProcess(`
http: { listen: 127.0.0.1:0 }
storage: { dir: ${dir}/data }
devices:
  - id: healthy
    driver: escpos
    transport: { type: simulator }
    pollInterval: 100ms
  - id: slow
    driver: escpos
    transport: { type: simulator, faults: { slowMs: 5000 } }
    pollInterval: 100ms
    requestTimeout: 2s
  - id: silent
    driver: escpos
    transport: { type: simulator, faults: { mute: true } }
    pollInterval: 100ms
  - id: unplugged
    driver: escpos
    transport: { type: serial, path: ${dir}/no-such-tty }
    pollInterval: 100ms
`);
  });

  afterAll(async () => {
    await agent?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps polling the healthy device and answering HTTP while the others hang or fail', async () => {
    const status = async () => (await agent.get('/api/v1/status')).body;
    const first = await waitUntil(status, (s) => s.devices.find((d: { id: string }) => d.id === 'healthy').pollCount >= 1, {
      what: 'first healthy poll',
    });
    const start = first.devices.find((d: { id: string }) => d.id === 'healthy').pollCount;
    // While "slow" sits in a 2 s request timeout, "healthy" at 100 ms keeps going.
    const later = await waitUntil(
      status,
      (s) => s.devices.find((d: { id: string }) => d.id === 'healthy').pollCount >= start + 10,
      { what: 'ten more healthy polls' },
    );
    const byId = Object.fromEntries(later.devices.map((d: { id: string }) => [d.id, d]));
    expect(byId.healthy.conditions).toEqual([]);
    expect(byId.unplugged.conditions).toEqual(['device.unreachable']);
    expect(byId.unplugged.lastError).toContain('no-such-tty');
    expect((await agent.get('/healthz')).status).toBe(200);
    const silent = await waitUntil(status, (s) => s.devices.find((d: { id: string }) => d.id === 'silent').conditions.length > 0, {
      what: 'silent device unreachable',
    });
    expect(silent.devices.find((d: { id: string }) => d.id === 'silent').conditions).toEqual(['device.unreachable']);
    expect(silent.devices.every((d: { simulated: boolean; id: string }) => d.simulated === (d.id !== 'unplugged'))).toBe(true);
  });
});
