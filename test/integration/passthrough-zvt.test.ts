import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../drivers/zvt/apdu.js';
import { createFramer, type TransportFraming } from '../../drivers/zvt/codec.js';
import { openPtyPair, type PtyPair } from '../../src/transport/pty-pair.js';
import { type AgentUnderTest, startAgentProcess } from '../helpers/agent.js';
import { freeLoopbackAddress, freePort } from '../helpers/ports.js';
import { PosdiagProcess } from '../helpers/process.js';
import { type SimulatorUnderTest, startSimulatorProcess } from '../helpers/simulator.js';
import { requireSocat } from '../helpers/tools.js';
import { waitUntil } from '../helpers/wait.js';

// Passthrough with a ZVT terminal, all real processes: `posdiag simulate zvt` is the terminal,
// `posdiag run` owns its port and offers the till a virtual one, `posdiag till zvt` is the till.
// Both ends capture what they saw; the terminal must have seen exactly the till's frames, with
// only whole agent exchanges (Status-Enquiry 05 01) between them.

type Line = Record<string, unknown>;

async function runTill(args: string[], timeoutMs = 120_000) {
  const till = new PosdiagProcess(['till', 'zvt', ...args]);
  const summary = await till.waitForLine((l) => l.event === 'summary', timeoutMs);
  const code = await till.exited;
  return { code, summary, payments: till.lines.filter((l) => l.event === 'payment'), stderr: till.stderr };
}

async function readLines(file: string): Promise<Line[]> {
  const text = (await readFile(file, 'utf8')).trim();
  return text === '' ? [] : text.split('\n').map((l) => JSON.parse(l) as Line);
}

interface WireApdu {
  dir: 'ecr->pt' | 'pt->ecr';
  hex: string;
}

/**
 * The terminal's capture (raw chunks in and out, in order) read back as APDUs with the ZVT
 * framers, counting every frame error and NAK: a corrupted frame shows here.
 */
function apdusAtTerminal(capture: Line[], framing: TransportFraming) {
  const fromEcr = createFramer(framing);
  const fromPt = createFramer(framing);
  const apdus: WireApdu[] = [];
  let frameErrors = 0;
  let naks = 0;
  for (const line of capture) {
    const bytes = Uint8Array.from(Buffer.from(String(line.hex), 'hex'));
    const inbound = line.dir === 'in';
    for (const event of (inbound ? fromEcr : fromPt).push(bytes, Number(line.at))) {
      if (event.type === 'apdu') apdus.push({ dir: inbound ? 'ecr->pt' : 'pt->ecr', hex: toHex(event.bytes) });
      else if (event.type === 'error') frameErrors++;
      else if (event.type === 'nak') naks++;
    }
  }
  return { apdus, frameErrors, naks };
}

/** Splits at every ECR command (not an 80/84 reply) and drops the agent's exchanges (05 01). */
function withoutAgentExchanges(apdus: WireApdu[]): { till: WireApdu[]; agentExchanges: number } {
  const till: WireApdu[] = [];
  let agentExchanges = 0;
  let agents = false;
  for (const a of apdus) {
    const isCommand = a.dir === 'ecr->pt' && !a.hex.startsWith('80') && !a.hex.startsWith('84');
    if (isCommand) {
      agents = a.hex.startsWith('05 01');
      if (agents) agentExchanges++;
    }
    if (!agents) till.push(a);
  }
  return { till, agentExchanges };
}

function tillApdus(capture: Line[]): WireApdu[] {
  return capture.map((c) => ({ dir: c.dir as WireApdu['dir'], hex: String(c.hex) }));
}

function terminalConfig(
  http: number,
  transport: string,
  passthrough: string,
  extra = '',
): string {
  return `
http: { listen: 127.0.0.1:${http} }
storage: { dir: STORE }
network: { targets: [] }
alerts: { failureThreshold: 1, successThreshold: 1 }
devices:
  - id: terminal-1
    driver: zvt
    transport: ${transport}
    mode: passthrough
    passthrough: ${passthrough}
    pollInterval: 50ms
    requestTimeout: 500ms
    reconnect: { minDelay: 50ms, maxDelay: 200ms }
    options: { transactionsFailingAfter: 3 }
${extra}`;
}

async function startAgent(yaml: string, dir: string): Promise<AgentUnderTest> {
  return startAgentProcess(yaml.replace('STORE', path.join(dir, 'store')));
}

const terminal = async (agent: AgentUnderTest) => (await agent.get('/api/v1/status')).body.devices[0];

describe('passthrough: a ZVT terminal on a serial line, shared with the till through a pty', () => {
  let dir: string;
  let pair: PtyPair;
  let socat: string;
  let simulator: SimulatorUnderTest;
  let agent: AgentUnderTest;
  let link: string;
  let deviceCapture: string;

  beforeAll(async () => {
    socat = await requireSocat();
    dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-pt-zvt-'));
    pair = await openPtyPair(socat, path.join(dir, 'agent-side'), path.join(dir, 'terminal'));
    deviceCapture = path.join(dir, 'terminal.jsonl');
    simulator = await startSimulatorProcess('zvt', ['--port', pair.devicePath], ['--capture', deviceCapture]);
    link = path.join(dir, 'till');
    // idleGap 0: the agent takes the line whenever no exchange is open, so it collides with a
    // till running payments back to back as often as it can.
    agent = await startAgent(
      terminalConfig(await freePort(), `{ type: serial, path: ${pair.hostPath} }`, `{ type: pty, link: ${link}, idleGap: 0ms }`),
      dir,
    );
    await waitUntil(() => terminal(agent), (d) => d.connected === true && d.pollCount > 2, { what: 'the agent polling the terminal' });
  }, 30_000);

  afterAll(async () => {
    await agent?.stop();
    await simulator?.stop();
    await pair?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('50 payments and an end-of-day through the virtual port: the terminal sees the till\'s frames byte for byte', async () => {
    const tillCapture = path.join(dir, 'till-50.jsonl');
    const before = (await terminal(agent)).passthrough;
    const run = await runTill(['--port', link, '--payments', '50', '--end-of-day', '--amount', '1234', '--capture', tillCapture]);
    expect(run.stderr).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.summary).toMatchObject({ payments: 50, approved: 50, failed: 0, endOfDay: 'approved' });

    const atTerminal = apdusAtTerminal(await readLines(deviceCapture), 'serial');
    expect(atTerminal.frameErrors).toBe(0);
    expect(atTerminal.naks).toBe(0);
    const { till, agentExchanges } = withoutAgentExchanges(atTerminal.apdus);
    const sent = tillApdus(await readLines(tillCapture));
    expect(sent.length).toBe(50 * 8 + 10);
    // The till's part of the terminal's traffic, from its first command on, is exactly what the till captured.
    const firstTillCommand = till.findIndex((a) => a.hex.startsWith('06 01'));
    expect(till.slice(firstTillCommand, firstTillCommand + sent.length)).toEqual(sent);
    expect(agentExchanges).toBeGreaterThan(0);

    const after = await waitUntil(
      () => terminal(agent),
      (d) => d.passthrough.transactions.approved >= before.transactions.approved + 50 && d.passthrough.lastEndOfDay !== null,
      { what: 'the payments and the end-of-day in the status' },
    );
    expect(after.passthrough.transactions).toMatchObject({ failedInARow: 0, declined: 0, noCompletion: 0 });
    expect(after.passthrough.transactions.last).toMatchObject({ kind: 'payment', outcome: 'approved', resultCode: 0 });
    expect(after.passthrough.lastEndOfDay).toMatchObject({ ok: true });
    // The end-of-day the till ran feeds the terminal's settlement time at the next poll.
    const settled = await waitUntil(() => terminal(agent), (d) => d.lastSettlementAt !== null, { what: 'lastSettlementAt' });
    expect(Math.abs(Date.parse(settled.lastSettlementAt) - Date.now())).toBeLessThan(5 * 60_000);
    expect(settled.conditions).not.toContain('terminal.settlement_overdue');
  }, 120_000);

  it('1,000 payments back to back with the agent polling: no corrupted frame, no payment lost, and the two really collide', async () => {
    const tillCapture = path.join(dir, 'till-1000.jsonl');
    const before = (await terminal(agent)).passthrough;
    const run = await runTill(['--port', link, '--payments', '1000', '--amount', '100', '--capture', tillCapture], 240_000);
    expect(run.code).toBe(0);
    expect(run.summary).toMatchObject({ payments: 1000, approved: 1000, declined: 0, failed: 0 });
    expect(run.payments.every((p) => p.outcome === 'approved')).toBe(true);

    const sent = tillApdus(await readLines(tillCapture));
    expect(sent.length).toBe(1000 * 8); // no repeated block: the till never had to send anything twice
    const atTerminal = apdusAtTerminal(await readLines(deviceCapture), 'serial');
    expect(atTerminal.frameErrors).toBe(0);
    expect(atTerminal.naks).toBe(0);
    const { till } = withoutAgentExchanges(atTerminal.apdus);
    expect(till.slice(-sent.length)).toEqual(sent);

    const after = await waitUntil(
      () => terminal(agent),
      (d) => d.passthrough.transactions.approved >= before.transactions.approved + 1000 && d.passthrough.agentTurns > before.agentTurns,
      { what: 'the 1,000 payments in the status' },
    );
    const turns = after.passthrough.agentTurns - before.agentTurns;
    const held = after.passthrough.tillChunksHeld - before.tillChunksHeld;
    // The agent kept polling during the run, and the till did want the line while the agent had
    // it (its bytes were held, then sent): the same-instant case happened, not just in theory.
    console.info(
      JSON.stringify({ stress: { payments: 1000, ms: run.summary.ms, agentTurns: turns, tillChunksHeld: held, longestHoldMs: after.passthrough.longestHoldMs } }),
    );
    expect(turns).toBeGreaterThan(10);
    expect(held).toBeGreaterThan(0);
    expect(after.passthrough.longestHoldMs).toBeLessThan(1_000);
    expect(after.passthrough.transactions.noCompletion).toBe(before.transactions.noCompletion);
  }, 300_000);

  it('declines in a row raise terminal.transactions_failing; an approved payment clears it', async () => {
    await simulator.setFaults({ declineEvery: 1, declineResultCode: 0x05 });
    const declined = await runTill(['--port', link, '--payments', '3']);
    expect(declined.payments.map((p) => p.outcome)).toEqual(['declined', 'declined', 'declined']);
    const failing = await waitUntil(() => terminal(agent), (d) => d.conditions.includes('terminal.transactions_failing'), {
      what: 'terminal.transactions_failing',
    });
    expect(failing.passthrough.transactions).toMatchObject({ failedInARow: 3, last: { outcome: 'declined', resultCode: 5 } });
    const alerts = (await agent.get('/api/v1/status')).body.alerts as Array<{ condition: string }>;
    expect(alerts.map((a) => a.condition)).toContain('terminal.transactions_failing');
    const metrics = await (await fetch(`${agent.url}/metrics`)).text();
    expect(metrics).toMatch(/posdiag_terminal_transactions_failed_in_a_row\{device="terminal-1"\} 3/);
    expect(metrics).toMatch(/posdiag_terminal_transactions_total\{device="terminal-1",outcome="declined"\} 3/);

    await simulator.setFaults({ declineEvery: 0 });
    const approved = await runTill(['--port', link, '--payments', '1']);
    expect(approved.code).toBe(0);
    await waitUntil(() => terminal(agent), (d) => !d.conditions.includes('terminal.transactions_failing') && d.passthrough.transactions.failedInARow === 0, {
      what: 'the condition cleared',
    });
  }, 60_000);

  it('the till opens and closes the virtual port again and again', async () => {
    for (let i = 0; i < 5; i++) {
      const run = await runTill(['--port', link, '--payments', '2']);
      expect(run.code, `run ${i}: ${JSON.stringify(run.summary)}`).toBe(0);
    }
  }, 60_000);

  it('terminal unplugged: the till gets no answer, the agent says unreachable; plugged back: both work again', async () => {
    await pair.close();
    const lost = await runTill(['--port', link, '--payments', '1'], 60_000);
    expect(lost.payments[0]).toMatchObject({ outcome: 'timeout' });
    const down = await waitUntil(() => terminal(agent), (d) => d.connected === false, { what: 'the terminal reported gone' });
    expect(down.conditions).toContain('device.unreachable');
    expect(down.passthrough.tillBytesDropped).toBeGreaterThan(0);

    pair = await openPtyPair(socat, path.join(dir, 'agent-side'), path.join(dir, 'terminal'));
    await waitUntil(() => terminal(agent), (d) => d.connected === true && d.pollCount > down.pollCount, { what: 'the agent back on the terminal', timeoutMs: 30_000 });
    const back = await runTill(['--port', link, '--payments', '3']);
    expect(back.code).toBe(0);
    expect(back.summary).toMatchObject({ approved: 3 });
  }, 90_000);
});

describe('passthrough: a ZVT terminal over TCP, shared with the till through a TCP port', () => {
  let dir: string;
  let simulator: SimulatorUnderTest;
  let agent: AgentUnderTest;
  let tillAddress: { host: string; port: number };
  let deviceCapture: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-pt-zvt-tcp-'));
    deviceCapture = path.join(dir, 'terminal.jsonl');
    const terminalPort = await freePort();
    simulator = await startSimulatorProcess('zvt', ['--listen', `127.0.0.1:${terminalPort}`], ['--capture', deviceCapture]);
    tillAddress = await freeLoopbackAddress();
    agent = await startAgent(
      terminalConfig(
        await freePort(),
        `{ type: tcp, host: 127.0.0.1, port: ${terminalPort} }`,
        `{ type: tcp, listen: ${tillAddress.host}:${tillAddress.port}, idleGap: 0ms }`,
      ),
      dir,
    );
    await waitUntil(() => terminal(agent), (d) => d.connected === true && d.pollCount > 2, { what: 'the agent polling the terminal' });
  }, 30_000);

  afterAll(async () => {
    await agent?.stop();
    await simulator?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('payments over the till\'s TCP connection reach the terminal unchanged; a second connection works too', async () => {
    const first = path.join(dir, 'till-1.jsonl');
    const run = await runTill(['--connect', `${tillAddress.host}:${tillAddress.port}`, '--payments', '50', '--end-of-day', '--capture', first]);
    expect(run.code).toBe(0);
    expect(run.summary).toMatchObject({ approved: 50, endOfDay: 'approved' });
    const sent = tillApdus(await readLines(first));
    const atTerminal = apdusAtTerminal(await readLines(deviceCapture), 'tcp');
    expect(atTerminal.frameErrors).toBe(0);
    const { till, agentExchanges } = withoutAgentExchanges(atTerminal.apdus);
    expect(till).toEqual(sent);
    expect(agentExchanges).toBeGreaterThan(0);

    // The till reconnects (a new process, a new connection): served at once.
    const again = await runTill(['--connect', `${tillAddress.host}:${tillAddress.port}`, '--payments', '5']);
    expect(again.code).toBe(0);
    const status = await terminal(agent);
    expect(status.passthrough).toMatchObject({ till: `tcp:${tillAddress.host}:${tillAddress.port}` });
    expect(status.passthrough.transactions.approved).toBeGreaterThanOrEqual(55);
  }, 120_000);

  it('while the terminal is unreachable the till\'s connection is refused, as the terminal would refuse it', async () => {
    await simulator.stop();
    await waitUntil(() => terminal(agent), (d) => d.connected === false, { what: 'the terminal reported gone' });
    const till = new PosdiagProcess(['till', 'zvt', '--connect', `${tillAddress.host}:${tillAddress.port}`, '--payments', '1']);
    const code = await till.exited;
    // The till cannot connect, or its connection is reset before any answer: never a payment.
    expect(code).not.toBe(0);
    expect(till.lines.filter((l) => l.event === 'payment' && l.outcome === 'approved')).toEqual([]);
    expect(till.stderr.join('\n') + JSON.stringify(till.lines)).toMatch(/ECONNREFUSED|ECONNRESET|closed|refused|reset/i);
  }, 60_000);
});
