import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPtyPair, type PtyPair } from '../../src/transport/pty-pair.js';
import { type AgentUnderTest, startAgentProcess } from '../helpers/agent.js';
import { type SimulatorUnderTest, startSimulatorProcess } from '../helpers/simulator.js';
import { requireSocat } from '../helpers/tools.js';
import { waitUntil } from '../helpers/wait.js';

// A printer simulator process on one end of a real socat pty pair, the agent on the other,
// exactly as a printer on a USB-serial adapter. Poll interval 500 ms.
const pollIntervalMs = 500;

describe('ESC/POS printer over a serial pty', () => {
  let socat: string;
  let dir: string;
  let pair: PtyPair;
  let simulator: SimulatorUnderTest;
  let agent: AgentUnderTest;

  const printer = async () => {
    const { body } = await agent.get('/api/v1/status');
    return body.devices.find((d: { id: string }) => d.id === 'printer-1');
  };

  beforeAll(async () => {
    socat = await requireSocat();
    dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-pty-'));
    pair = await openPtyPair(socat, path.join(dir, 'ttyAgent'), path.join(dir, 'ttyPrinter'));
    simulator = await startSimulatorProcess('escpos', ['--port', pair.devicePath]);
    agent = await startAgentProcess(`
http: { listen: 127.0.0.1:0 }
storage: { dir: ${dir}/data }
log: { level: debug, format: json }
devices:
  - id: printer-1
    driver: escpos
    transport: { type: serial, path: ${pair.hostPath}, baudRate: 9600 }
    pollInterval: ${pollIntervalMs}ms
    requestTimeout: 300ms
    unreachableAfter: 2
    reconnect: { minDelay: 100ms, maxDelay: 1s }
`);
  });

  afterAll(async () => {
    await agent?.stop();
    await simulator?.stop();
    await pair?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reports a healthy printer with its identity', async () => {
    const device = await waitUntil(printer, (d) => d?.connected === true && d.model !== null, { what: 'printer connected and identified' });
    expect(device).toMatchObject({
      driver: 'escpos',
      simulated: false,
      connected: true,
      power: 'online',
      globalStatus: 'ok',
      printer: { status: 'ok', coverOpen: false },
      manufacturer: 'POSDIAG',
      model: 'SIM-T80 (simulated)',
      serial: 'SIM0001',
      firmware: '1.00-sim',
      conditions: [],
    });
    // Fields a printer cannot know are null, never guessed.
    expect(device).toMatchObject({ cardReader: null, locked: null, loggedOn: null, tamper: null, lastSettlementAt: null });
    const { body } = await agent.get('/api/v1/status');
    expect(body.overall).toBe('ok');
  });

  const faults: Array<[string, Record<string, unknown>, string, Record<string, unknown>]> = [
    ['paper near end', { paperLow: true }, 'printer.paper_low', { status: 'paper_low', coverOpen: false }],
    ['paper out', { paperOut: true }, 'printer.paper_out', { status: 'no_paper' }],
    ['cover open', { coverOpen: true }, 'printer.cover_open', { coverOpen: true }],
    ['cutter error', { cutterError: true }, 'printer.jam_or_cutter', { status: 'paper_jam', cutterError: true }],
    ['unrecoverable error', { unrecoverableError: true }, 'printer.jam_or_cutter', { status: 'out_of_order' }],
  ];

  for (const [name, fault, condition, printerFields] of faults) {
    it(`shows ${name} as ${condition}, then clears it`, async () => {
      await waitUntil(printer, (d) => d?.connected === true && d.conditions.length === 0, { what: 'healthy start' });
      await simulator.setFaults(fault);
      const device = await waitUntil(printer, (d) => d.conditions.includes(condition), { what: condition });
      expect(device.printer).toMatchObject(printerFields);
      expect(device.connected).toBe(true);
      // The alert machine fires after alerts.failureThreshold (3) consecutive polls; until then it is pending.
      const { body } = await agent.get('/api/v1/status');
      expect(body.alerts).toContainEqual(expect.objectContaining({ condition, device: 'printer-1', state: expect.stringMatching(/^(pending|firing)$/) }));
      await waitUntil(() => agent.get('/api/v1/status'), (r) => r.body.alerts.some((a: { condition: string; state: string }) => a.condition === condition && a.state === 'firing'), {
        what: `${condition} firing`,
      });

      await simulator.setFaults(Object.fromEntries(Object.keys(fault).map((k) => [k, false])));
      await waitUntil(printer, (d) => d.conditions.length === 0, { what: `${condition} cleared` });
    });
  }

  it('survives garbage on the line and recovers a clean status', async () => {
    await simulator.setFaults({ garbage: true, paperLow: true });
    await waitUntil(printer, (d) => d.conditions.includes('printer.paper_low'), { what: 'status read through garbage' });
    await simulator.setFaults({ garbage: false, paperLow: false });
    const device = await waitUntil(printer, (d) => d.connected && d.conditions.length === 0, { what: 'clean status' });
    expect(device.printer.status).toBe('ok');
    expect(agent.process.child.exitCode).toBeNull();
  });

  it('reports a silent printer unreachable, and recovers when it answers again', async () => {
    await simulator.setFaults({ mute: true });
    const silent = await waitUntil(printer, (d) => d.conditions.includes('device.unreachable'), { what: 'unreachable' });
    expect(silent).toMatchObject({ connected: false, power: 'off_offline', globalStatus: 'unreachable', printer: { status: 'unknown' } });
    await simulator.setFaults({ mute: false });
    await waitUntil(printer, (d) => d.connected && d.conditions.length === 0, { what: 'answering again' });
  });

  it('detects an unplug, keeps serving HTTP, and reconnects on replug without a restart', async () => {
    await waitUntil(printer, (d) => d?.connected === true, { what: 'connected before unplug' });
    await pair.close(); // the cable is pulled: both pty ends vanish

    const unplugged = await waitUntil(printer, (d) => d.connected === false, { what: 'disconnect noticed' });
    expect(unplugged.conditions).toContain('device.unreachable');
    expect(unplugged.lastError).toBeTruthy();
    const health = await agent.get('/healthz');
    expect(health.status).toBe(200);

    pair = await openPtyPair(socat, pair.hostPath, pair.devicePath); // plugged back in, same path
    await waitUntil(printer, (d) => d.connected === true && d.conditions.length === 0, { what: 'reconnected', timeoutMs: 20_000 });
    expect(agent.process.child.exitCode).toBeNull();
    expect(agent.process.lines.filter((l) => l.msg === 'posdiag listening')).toHaveLength(1);
  });
});
