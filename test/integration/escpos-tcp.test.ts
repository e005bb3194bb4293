import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentUnderTest, startAgentProcess } from '../helpers/agent.js';
import { type SimulatorUnderTest, startSimulatorProcess } from '../helpers/simulator.js';
import { waitUntil } from '../helpers/wait.js';

// A network receipt printer (raw TCP, as on port 9100): the simulator process listens on
// loopback, the agent connects to it.
describe('ESC/POS printer over TCP', () => {
  let dir: string;
  let simulator: SimulatorUnderTest;
  let agent: AgentUnderTest;
  let address: string;

  const printer = async () => (await agent.get('/api/v1/devices/lan-printer')).body;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-tcp-'));
    simulator = await startSimulatorProcess('escpos', ['--listen', '127.0.0.1:0']);
    address = simulator.wire.replace(/^tcp:/, '');
    const [host, port] = address.split(':');
    agent = await startAgentProcess(`
http: { listen: 127.0.0.1:0 }
storage: { dir: ${dir}/data }
devices:
  - id: lan-printer
    driver: escpos
    transport: { type: tcp, host: ${host}, port: ${port} }
    pollInterval: 300ms
    requestTimeout: 300ms
    reconnect: { minDelay: 100ms, maxDelay: 1s }
`);
  });

  afterAll(async () => {
    await agent?.stop();
    await simulator?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads the printer over the socket and shows a fault', async () => {
    const healthy = await waitUntil(printer, (d) => d.connected === true, { what: 'connected' });
    expect(healthy.transport).toBe(`tcp:${address}`);
    await simulator.setFaults({ coverOpen: true });
    const open = await waitUntil(printer, (d) => d.conditions.includes('printer.cover_open'), { what: 'cover open' });
    expect(open.printer.coverOpen).toBe(true);
    await simulator.setFaults({ coverOpen: false });
    await waitUntil(printer, (d) => d.conditions.length === 0, { what: 'cover closed' });
  });

  it('notices the printer going away and reconnects when it is back on the same port', async () => {
    await simulator.stop();
    const gone = await waitUntil(printer, (d) => d.connected === false, { what: 'disconnected' });
    expect(gone.conditions).toEqual(['device.unreachable']);
    expect(gone.lastError).toMatch(/ECONNREFUSED|closed/);

    simulator = await startSimulatorProcess('escpos', ['--listen', address]);
    await waitUntil(printer, (d) => d.connected === true && d.conditions.length === 0, { what: 'reconnected', timeoutMs: 20_000 });
  });
});
