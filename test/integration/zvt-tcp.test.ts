import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AgentUnderTest, startAgentProcess } from '../helpers/agent.js';
import { type SimulatorUnderTest, startSimulatorProcess } from '../helpers/simulator.js';
import { waitUntil } from '../helpers/wait.js';
import { startPayment, type ZvtTill } from '../helpers/zvt-till.js';

// A ZVT terminal on the network (ZVT over TCP, bare APDUs): the simulator process listens on
// loopback, the agent connects to it.
const agentConfig = (dir: string, address: string) => {
  const [host, port] = address.split(':');
  return `
http: { listen: 127.0.0.1:0 }
storage: { dir: ${dir}/data }
log: { level: debug, format: json }
devices:
  - id: lan-terminal
    driver: zvt
    transport: { type: tcp, host: ${host}, port: ${port} }
    pollInterval: 300ms
    requestTimeout: 500ms
    unreachableAfter: 2
    reconnect: { minDelay: 100ms, maxDelay: 1s }
`;
};

const healthy = (d: any) => d?.connected === true && d.globalStatus === 'ok' && d.conditions.length === 0;

describe('ZVT terminal over TCP', () => {
  let dir: string;
  let simulator: SimulatorUnderTest;
  let agent: AgentUnderTest;
  let address: string;

  const terminal = async () => (await agent.get('/api/v1/devices/lan-terminal')).body;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-zvt-tcp-'));
    simulator = await startSimulatorProcess('zvt', ['--listen', '127.0.0.1:0']);
    address = simulator.wire.replace(/^tcp:/, '');
    agent = await startAgentProcess(agentConfig(dir, address));
  });

  afterAll(async () => {
    await agent?.stop();
    await simulator?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads a ready terminal and its identity over the socket', async () => {
    const device = await waitUntil(terminal, (d) => healthy(d) && d.serial !== null, { what: 'connected and identified' });
    expect(device).toMatchObject({
      transport: `tcp:${address}`,
      cardReader: 'ok',
      locked: false,
      loggedOn: true,
      tamper: false,
      model: 'posdiag ZVT simulator',
      serial: '17FD1E3C',
      firmware: 'SIM-1.0.0',
    });
  });

  const faults: Array<[Record<string, unknown>, string[], Record<string, unknown>]> = [
    [{ cardReaderFault: true }, ['terminal.card_reader_fault'], { cardReader: 'fault' }],
    [{ lockBits: 0x2000 }, ['terminal.locked'], { locked: true, zvt: { locks: ['diagnosis'] } }],
    [{ loggedOff: true }, ['terminal.not_logged_on'], { loggedOn: false }],
    [{ terminalStatus: 0xdf }, ['terminal.out_of_order'], { outOfOrder: true }],
    [{ tamper: true }, ['terminal.tamper'], { tamper: true }],
    [{ terminalStatus: 0xb1 }, ['terminal.settlement_overdue'], { settlementDue: true }],
  ];
  for (const [fault, conditions, fields] of faults) {
    it(`${JSON.stringify(fault)} → ${conditions.join(', ')}`, async () => {
      await waitUntil(terminal, healthy, { what: 'healthy start' });
      const before = await simulator.setFaults({});
      await simulator.setFaults(fault);
      try {
        const device = await waitUntil(terminal, (d) => d.conditions.length > 0, { what: conditions.join(', ') });
        expect(device.conditions).toEqual(conditions);
        expect(device).toMatchObject(fields);
      } finally {
        await simulator.setFaults(Object.fromEntries(Object.keys(fault).map((k) => [k, before[k]])));
      }
      await waitUntil(terminal, healthy, { what: 'cleared' });
    });
  }

  it('notices the terminal going away and reconnects when it is back on the same port', async () => {
    await waitUntil(terminal, healthy, { what: 'healthy start' });
    await simulator.process.kill();
    const gone = await waitUntil(terminal, (d) => d.connected === false, { what: 'disconnected' });
    expect(gone.conditions).toEqual(['device.unreachable']);
    expect(gone.lastError).toMatch(/ECONNREFUSED|closed|no answer/);

    simulator = await startSimulatorProcess('zvt', ['--listen', address]);
    await waitUntil(terminal, healthy, { what: 'reconnected', timeoutMs: 20_000 });
  });

  it('reports a mute terminal unreachable and recovers', async () => {
    await simulator.setFaults({ mute: true });
    await waitUntil(terminal, (d) => d.conditions.includes('device.unreachable'), { what: 'unreachable' });
    await simulator.setFaults({ mute: false });
    await waitUntil(terminal, healthy, { what: 'answering again' });
  });

  // Last: device.swapped stays active for a day, by design.
  it('raises device.swapped when a terminal with another serial number answers', async () => {
    await simulator.setFaults({ serialNumber: '99887766' });
    const swapped = await waitUntil(terminal, (d) => d.conditions.includes('device.swapped'), { what: 'device.swapped' });
    expect(swapped.swap).toMatchObject({ previousSerial: '17FD1E3C', serial: '99887766' });
  });
});

// The till starts a payment on the terminal, the customer takes their time with the card, and the
// agent connects meanwhile: the terminal answers its Status-Enquiry with 84 9C ("please wait").
describe('ZVT terminal in the middle of a payment', () => {
  let dir: string;
  let simulator: SimulatorUnderTest;
  let agent: AgentUnderTest | null = null;
  let till: ZvtTill | null = null;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-zvt-pay-'));
    simulator = await startSimulatorProcess('zvt', ['--listen', '127.0.0.1:0']);
  });

  afterEach(() => till?.close());

  afterAll(async () => {
    await agent?.stop();
    await simulator?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is reported busy, never as a fault, while the payment waits for the card', async () => {
    // Long enough to outlast the test: the payment must still run when the agent asks.
    await simulator.setFaults({ paymentDelayMs: 120_000 });
    const address = simulator.wire.replace(/^tcp:/, '');
    const [host, port] = address.split(':');
    till = await startPayment(host!, Number(port), 1_250);
    await till.waitFor('04 FF'); // "insert card": the terminal runs the payment now
    expect(till.received[0]).toBe('80 00');

    agent = await startAgentProcess(agentConfig(dir, address));
    const terminal = async () => (await agent!.get('/api/v1/devices/lan-terminal')).body;
    const first = await waitUntil(terminal, (d) => d.pollCount >= 1 && d.connected, { what: 'first answer' });
    const later = await waitUntil(terminal, (d) => d.pollCount >= first.pollCount + 3, { what: 'three more polls' });
    for (const d of [first, later]) {
      expect(d).toMatchObject({ connected: true, power: 'online', globalStatus: 'busy', conditions: [] });
      expect(d.zvt).toMatchObject({ resultCode: 0x9c, text: 'Please wait' });
    }
    const { body } = await agent.get('/api/v1/status');
    expect(body.overall).toBe('ok');
    expect(body.alerts).toEqual([]);
    // Not once, in any poll since the agent started.
    expect(agent.process.lines.filter((l) => l.msg === 'condition raised')).toEqual([]);
  });
});
