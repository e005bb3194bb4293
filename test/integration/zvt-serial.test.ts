import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPtyPair, type PtyPair } from '../../src/transport/pty-pair.js';
import { type AgentUnderTest, startAgentProcess } from '../helpers/agent.js';
import { type SimulatorUnderTest, startSimulatorProcess } from '../helpers/simulator.js';
import { requireSocat } from '../helpers/tools.js';
import { waitUntil } from '../helpers/wait.js';

// A ZVT terminal simulator process on one end of a real socat pty pair at 9600 baud, the agent on
// the other: the serial block framing (DLE STX … DLE ETX CRC, ACK/NAK) end to end, as with a
// terminal on an RS-232 or USB-serial cable.
const pollIntervalMs = 300;

/** Every family of terminal status code and lock bit: the fault, the condition(s), the fields. */
const families: Array<[string, Record<string, unknown>, string[], Record<string, unknown>]> = [
  ['status E2: card reader defective', { terminalStatus: 0xe2 }, ['terminal.card_reader_fault'], { cardReader: 'fault' }],
  ['status C0: card locking mechanism', { terminalStatus: 0xc0 }, ['terminal.card_reader_fault'], { cardReader: 'fault' }],
  ['lock bit: card reader not found', { lockBits: 0x0040 }, ['terminal.card_reader_fault'], { cardReader: 'fault', zvt: { locks: ['card_reader_not_found'] } }],
  ['lock bit: contactless not initialised', { lockBits: 0x0002 }, ['terminal.card_reader_fault'], { cardReader: 'fault' }],
  ['status C2: diagnosis required', { terminalStatus: 0xc2 }, ['terminal.locked'], { locked: true, loggedOn: true }],
  ['status C1: merchant card locked', { terminalStatus: 0xc1 }, ['terminal.locked'], { locked: true }],
  ['lock bit: service lock', { lockBits: 0x1000 }, ['terminal.locked'], { locked: true, zvt: { lockBits: 0x1000, locks: ['service'] } }],
  ['lock bit: printer lock', { lockBits: 0x0400 }, ['terminal.locked'], { locked: true, zvt: { printerNotReady: true } }],
  ['logged off (status 51, device state 01, initialisation lock)', { loggedOff: true }, ['terminal.not_logged_on'], { loggedOn: false, locked: true }],
  ['status E4: activation required', { terminalStatus: 0xe4 }, ['terminal.not_logged_on'], { loggedOn: false }],
  ['lock bit: start-up needed', { lockBits: 0x0200 }, ['terminal.not_logged_on'], { loggedOn: false }],
  ['status DF: out of order', { terminalStatus: 0xdf }, ['terminal.out_of_order'], { outOfOrder: true, globalStatus: 'maintenance' }],
  ['lock bit: out of order', { lockBits: 0x0800 }, ['terminal.out_of_order'], { outOfOrder: true }],
  ['tamper (device state 03, secure module changed)', { tamper: true }, ['terminal.tamper'], { tamper: true, locked: true }],
  ['status F0: reconciliation required', { terminalStatus: 0xf0 }, ['terminal.settlement_overdue'], { settlementDue: true, locked: false }],
  [
    'last end-of-day 30 h ago (F0 and the reconciliation lock)',
    { lastSettlementAt: new Date(Date.now() - 30 * 3_600_000).toISOString() },
    ['terminal.locked', 'terminal.settlement_overdue'],
    { settlementDue: true, locked: true },
  ],
];

describe('ZVT terminal over a serial pty at 9600 baud', () => {
  let socat: string;
  let dir: string;
  let pair: PtyPair;
  let simulator: SimulatorUnderTest;
  let agent: AgentUnderTest;

  const terminal = async () => (await agent.get('/api/v1/devices/terminal-1')).body;
  const healthy = (d: any) => d?.connected === true && d.globalStatus === 'ok' && d.conditions.length === 0;

  beforeAll(async () => {
    socat = await requireSocat();
    dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-zvt-pty-'));
    pair = await openPtyPair(socat, path.join(dir, 'ttyAgent'), path.join(dir, 'ttyTerminal'));
    simulator = await startSimulatorProcess('zvt', ['--port', pair.devicePath]);
    agent = await startAgentProcess(`
http: { listen: 127.0.0.1:0 }
storage: { dir: ${dir}/data }
log: { level: debug, format: json }
devices:
  - id: terminal-1
    driver: zvt
    transport: { type: serial, path: ${pair.hostPath}, baudRate: 9600 }
    pollInterval: ${pollIntervalMs}ms
    requestTimeout: 500ms
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

  it('reports a ready terminal with its identity, and sends nothing but Status-Enquiry', async () => {
    const device = await waitUntil(terminal, (d) => healthy(d) && d.serial !== null, { what: 'terminal connected and identified' });
    expect(device).toMatchObject({
      driver: 'zvt',
      simulated: false,
      transport: `serial:${pair.hostPath}@9600`,
      power: 'online',
      printer: null,
      cardReader: 'ok',
      locked: false,
      loggedOn: true,
      tamper: false,
      outOfOrder: false,
      settlementDue: false,
      model: 'posdiag ZVT simulator',
      serial: '17FD1E3C',
      firmware: 'SIM-1.0.0',
      zvt: { terminalStatus: 0, text: 'PT ready', lockBits: 0, locks: [], deviceState: 0, terminalId: '52523535' },
    });
    const { body } = await agent.get('/api/v1/status');
    expect(body.overall).toBe('ok');
    // The agent's own log of what it sent: Status-Enquiry, never a state-changing command.
    const sent = agent.process.lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('zvt tx')).map((l) => l.msg);
    expect(sent.length).toBeGreaterThan(1);
    expect(new Set(sent)).toEqual(new Set(['zvt tx Status-Enquiry 05 01']));
  });

  for (const [name, fault, conditions, fields] of families) {
    it(`${name} → ${conditions.join(', ')}`, async () => {
      await waitUntil(terminal, healthy, { what: 'healthy start' });
      const before = await simulator.setFaults({});
      await simulator.setFaults(fault);
      try {
        const device = await waitUntil(terminal, (d) => d.conditions.length > 0, { what: conditions.join(', ') });
        expect(device.conditions).toEqual(conditions);
        expect(device).toMatchObject({ connected: true, ...fields });
        // Alerts fire after alerts.failureThreshold (3) consecutive polls; until then they are pending.
        await waitUntil(
          () => agent.get('/api/v1/status'),
          (r) => conditions.every((c) => r.body.alerts.some((a: { condition: string; device: string; state: string }) => a.condition === c && a.device === 'terminal-1' && a.state === 'firing')),
          { what: `${conditions.join(', ')} firing` },
        );
      } finally {
        // Switched back even when an expectation failed, so one failure does not fail every later family.
        await simulator.setFaults(Object.fromEntries(Object.keys(fault).map((k) => [k, before[k]])));
      }
      await waitUntil(terminal, healthy, { what: `${conditions.join(', ')} cleared` });
    });
  }

  it('reports a card in the reader as busy, not as a fault', async () => {
    await waitUntil(terminal, healthy, { what: 'healthy start' });
    const logStart = agent.process.lines.length;
    for (const busy of [{ terminalStatus: 0xdc }, { terminalStatus: 0x9c }, { lockBits: 0x0020 }]) {
      await waitUntil(terminal, healthy, { what: 'healthy start' });
      await simulator.setFaults(busy);
      const first = await waitUntil(terminal, (d) => d.globalStatus === 'busy', { what: `busy with ${JSON.stringify(busy)}` });
      // Several polls in a row: busy each time, and never a condition.
      const later = await waitUntil(terminal, (d) => d.pollCount >= first.pollCount + 3, { what: 'three more polls' });
      expect(later).toMatchObject({ connected: true, globalStatus: 'busy', conditions: [] });
      expect((await agent.get('/api/v1/status')).body.overall).toBe('ok');
      await simulator.setFaults({ terminalStatus: 0, lockBits: 0 });
    }
    await waitUntil(terminal, healthy, { what: 'ready again' });
    // Not once, in any poll of the whole run.
    expect(agent.process.lines.slice(logStart).filter((l) => l.msg === 'condition raised')).toEqual([]);
  });

  it('reads the status through line noise between blocks', async () => {
    await simulator.setFaults({ noise: true, tamper: true });
    await waitUntil(terminal, (d) => d.conditions.includes('terminal.tamper'), { what: 'status read through noise' });
    await simulator.setFaults({ noise: false, tamper: false });
    await waitUntil(terminal, healthy, { what: 'clean status' });
  });

  it('reports a terminal answering garbage or nothing unreachable, and recovers when it answers again', async () => {
    for (const fault of ['garbage', 'mute']) {
      await simulator.setFaults({ [fault]: true });
      const lost = await waitUntil(terminal, (d) => d.conditions.includes('device.unreachable'), { what: `unreachable (${fault})` });
      expect(lost).toMatchObject({ connected: false, power: 'off_offline', globalStatus: 'unreachable', cardReader: null, locked: null, zvt: null });
      expect(lost.lastError).toBeTruthy();
      await simulator.setFaults({ [fault]: false });
      await waitUntil(terminal, healthy, { what: `answering again after ${fault}` });
    }
    expect(agent.process.child.exitCode).toBeNull();
  });

  it('detects an unplugged cable and reconnects on replug at the same path', async () => {
    await waitUntil(terminal, healthy, { what: 'connected before unplug' });
    await pair.close(); // both pty ends vanish, as when the USB-serial adapter is pulled
    const unplugged = await waitUntil(terminal, (d) => d.connected === false, { what: 'disconnect noticed' });
    expect(unplugged.conditions).toContain('device.unreachable');
    expect((await agent.get('/healthz')).status).toBe(200);

    pair = await openPtyPair(socat, pair.hostPath, pair.devicePath);
    await waitUntil(terminal, healthy, { what: 'reconnected', timeoutMs: 20_000 });
    expect(agent.process.lines.filter((l) => l.msg === 'posdiag listening')).toHaveLength(1);
  });

  it('detects a terminal switched off and on again (simulator process killed and restarted)', async () => {
    await simulator.process.kill();
    await waitUntil(terminal, (d) => d.conditions.includes('device.unreachable'), { what: 'terminal off' });
    simulator = await startSimulatorProcess('zvt', ['--port', pair.devicePath]);
    const back = await waitUntil(terminal, healthy, { what: 'terminal on again', timeoutMs: 20_000 });
    expect(back.swap).toBeNull(); // the same terminal: same serial number
  });

  // Last: device.swapped stays active for a day, by design.
  it('raises device.swapped when another terminal answers on the same port', async () => {
    await waitUntil(terminal, healthy, { what: 'healthy start' });
    await simulator.setFaults({ serialNumber: '0A1B2C3D' });
    const swapped = await waitUntil(terminal, (d) => d.conditions.includes('device.swapped'), { what: 'device.swapped' });
    expect(swapped).toMatchObject({ serial: '0A1B2C3D', swap: { previousSerial: '17FD1E3C', serial: '0A1B2C3D' }, conditions: ['device.swapped'] });
    const { body } = await agent.get('/api/v1/status');
    expect(body.overall).toBe('degraded');
    expect(body.alerts).toContainEqual(expect.objectContaining({ condition: 'device.swapped', device: 'terminal-1', severity: 'warning' }));
  });
});
