import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPtyPair, type PtyPair } from '../../src/transport/pty-pair.js';
import { PosdiagProcess, runPosdiag } from '../helpers/process.js';
import { type SimulatorUnderTest, startSimulatorProcess } from '../helpers/simulator.js';
import { requireSocat } from '../helpers/tools.js';

// `posdiag till` as the till software runs it: the compiled CLI on one end of a socat pty pair (or
// a loopback TCP connection), a `posdiag simulate` process on the other. What the till reports
// and captures is checked against what the terminal or printer must have done.

type Line = Record<string, unknown>;

/** Runs `posdiag till …` to its summary line and exit; returns its lines by event. */
async function runTill(args: string[]) {
  const till = new PosdiagProcess(['till', ...args]);
  const summary = await till.waitForLine((l) => l.event === 'summary', 60_000);
  const code = await till.exited;
  const of = (event: string) => till.lines.filter((l) => l.event === event);
  return { code, summary, payments: of('payment'), jobs: of('job'), endOfDay: of('end-of-day')[0] ?? null, stderr: till.stderr };
}

async function readCapture(file: string): Promise<Line[]> {
  return (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);
}

/** A payment as the till captures it: the terminal's 80 00 00, 04 FF, 04 0F and 06 0F, each answered. */
const paymentPattern = [
  'ecr->pt 06 01',
  'pt->ecr 80 00',
  'pt->ecr 04 FF',
  'ecr->pt 80 00',
  'pt->ecr 04 0F',
  'ecr->pt 80 00',
  'pt->ecr 06 0F',
  'ecr->pt 80 00',
];

function expectFiftyPaymentsAndEndOfDay(run: Awaited<ReturnType<typeof runTill>>, capture: Line[]) {
  expect(run.code).toBe(0);
  expect(run.payments).toHaveLength(50);
  expect(run.payments.map((p) => p.n)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  for (const p of run.payments) expect(p).toMatchObject({ outcome: 'approved', resultCode: 0, amountMinor: 1234, ms: expect.any(Number) });
  // The terminal settles exactly what went through it.
  expect(run.endOfDay).toMatchObject({ outcome: 'approved', resultCode: 0, amountMinor: 50 * 1234 });
  expect(run.summary).toMatchObject({ device: 'zvt', payments: 50, requested: 50, approved: 50, declined: 0, failed: 0, endOfDay: 'approved', stopped: null });

  const names = capture.map((c) => `${c.dir} ${String(c.hex).slice(0, 5)}`);
  expect(names.slice(0, 50 * 8)).toEqual(Array.from({ length: 50 }, () => paymentPattern).flat());
  expect(names.slice(50 * 8)).toEqual([
    'ecr->pt 06 50',
    'pt->ecr 80 00',
    'pt->ecr 04 FF',
    'ecr->pt 80 00',
    'pt->ecr 06 D1',
    'ecr->pt 80 00',
    'pt->ecr 04 0F',
    'ecr->pt 80 00',
    'pt->ecr 06 0F',
    'ecr->pt 80 00',
  ]);
  expect(capture[0]).toEqual({ at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), dir: 'ecr->pt', hex: '06 01 0A 04 00 00 00 00 12 34 49 09 78' });
  const times = capture.map((c) => Date.parse(String(c.at)));
  expect(times).toEqual([...times].sort((a, b) => a - b));
}

describe('posdiag till zvt over a serial pty', () => {
  let dir: string;
  let pair: PtyPair;
  let simulator: SimulatorUnderTest;

  beforeAll(async () => {
    const socat = await requireSocat();
    dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-till-pty-'));
    pair = await openPtyPair(socat, path.join(dir, 'ttyTill'), path.join(dir, 'ttyTerminal'));
    simulator = await startSimulatorProcess('zvt', ['--port', pair.devicePath]);
    await simulator.process.waitForLine((l) => l.event === 'port-open');
  });

  afterAll(async () => {
    await simulator?.stop();
    await pair?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs 50 payments and an end-of-day, and captures every APDU both ways', async () => {
    const capture = path.join(dir, 'capture.jsonl');
    const run = await runTill(['zvt', '--port', pair.hostPath, '--payments', '50', '--amount', '1234', '--end-of-day', '--capture', capture]);
    expect(run.stderr).toEqual([]);
    expectFiftyPaymentsAndEndOfDay(run, await readCapture(capture));
  });

  it('reports the terminal declines with their result code, and exits 0 for them', async () => {
    await simulator.setFaults({ declineEvery: 4, declineResultCode: 0x33 });
    try {
      const run = await runTill(['zvt', '--port', pair.hostPath, '--payments', '8']);
      expect(run.code).toBe(0);
      expect(run.payments.map((p) => p.outcome)).toEqual(['approved', 'approved', 'approved', 'declined', 'approved', 'approved', 'approved', 'declined']);
      expect(run.payments[3]).toMatchObject({ resultCode: 0x33, amountMinor: 1000 });
      expect(run.summary).toMatchObject({ approved: 6, declined: 2, failed: 0 });
    } finally {
      await simulator.setFaults({ declineEvery: 0, declineResultCode: 0x05 });
    }
  });

  it('exits 1 when the terminal refuses to pay (not logged on)', async () => {
    await simulator.setFaults({ loggedOff: true });
    try {
      const run = await runTill(['zvt', '--port', pair.hostPath, '--payments', '2', '--end-of-day']);
      expect(run.code).toBe(1);
      expect(run.payments).toEqual([expect.objectContaining({ outcome: 'refused', resultCode: 0x6b }), expect.objectContaining({ outcome: 'refused', resultCode: 0x6b })]);
      expect(run.summary).toMatchObject({ approved: 0, declined: 0, failed: 2 });
    } finally {
      await simulator.setFaults({ loggedOff: false });
    }
  });
});

describe('posdiag till zvt over TCP', () => {
  let dir: string;
  let simulator: SimulatorUnderTest;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-till-tcp-'));
    simulator = await startSimulatorProcess('zvt', ['--listen', '127.0.0.1:0']);
  });

  afterAll(async () => {
    await simulator?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs 50 payments and an end-of-day, and captures every APDU both ways', async () => {
    const capture = path.join(dir, 'capture.jsonl');
    const address = simulator.wire.replace(/^tcp:/, '');
    const run = await runTill(['zvt', '--connect', address, '--payments', '50', '--amount', '1234', '--end-of-day', '--capture', capture]);
    expect(run.stderr).toEqual([]);
    expectFiftyPaymentsAndEndOfDay(run, await readCapture(capture));
  });

  it('exits 1 with a message when nothing listens', async () => {
    const { code, stderr } = await runPosdiag(['till', 'zvt', '--connect', '127.0.0.1:1']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/cannot connect to 127\.0\.0\.1:1/);
  });
});

describe('posdiag till escpos', () => {
  let dir: string;
  let pair: PtyPair;
  let serialPrinter: SimulatorUnderTest;
  let networkPrinter: SimulatorUnderTest;

  beforeAll(async () => {
    const socat = await requireSocat();
    dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-till-escpos-'));
    pair = await openPtyPair(socat, path.join(dir, 'ttyTill'), path.join(dir, 'ttyPrinter'));
    serialPrinter = await startSimulatorProcess('escpos', ['--port', pair.devicePath]);
    await serialPrinter.process.waitForLine((l) => l.event === 'port-open');
    networkPrinter = await startSimulatorProcess('escpos', ['--listen', '127.0.0.1:0']);
  });

  afterAll(async () => {
    await serialPrinter?.stop();
    await networkPrinter?.stop();
    await pair?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('prints 10 jobs over a pty, each followed by its own paper check, with every embedded status request answered', async () => {
    const capture = path.join(dir, 'escpos.jsonl');
    const run = await runTill(['escpos', '--port', pair.hostPath, '--jobs', '10', '--capture', capture]);
    expect(run.code).toBe(0);
    expect(run.jobs).toHaveLength(10);
    // The raster logo holds 10 04 01 and 10 04 04; the till asks 10 04 04 itself: three answers.
    for (const job of run.jobs) expect(job).toMatchObject({ outcome: 'printed', replies: '12 12 12', paper: 'ok', bytes: expect.any(Number) });
    const bytes = run.jobs.reduce((n, j) => n + Number(j.bytes), 0);
    expect(run.summary).toMatchObject({ device: 'escpos', jobs: 10, printed: 10, failed: 0, bytes, strayBytes: 0, stopped: null });

    const lines = await readCapture(capture);
    const written = lines.filter((l) => l.dir === 'host->printer');
    expect(written).toHaveLength(20);
    expect(written.reduce((n, l) => n + String(l.hex).split(' ').length, 0)).toBe(bytes);
    expect(written.filter((_, i) => i % 2 === 1).map((l) => l.hex)).toEqual(Array.from({ length: 10 }, () => '10 04 04'));
    const received = lines.filter((l) => l.dir === 'printer->host').flatMap((l) => String(l.hex).split(' '));
    expect(received).toHaveLength(30);
  });

  it('prints over TCP', async () => {
    const run = await runTill(['escpos', '--connect', networkPrinter.wire.replace(/^tcp:/, ''), '--jobs', '5', '--pause', '10']);
    expect(run.code).toBe(0);
    expect(run.summary).toMatchObject({ jobs: 5, printed: 5, strayBytes: 0 });
  });

  it('exits 1 when the paper is out', async () => {
    await networkPrinter.setFaults({ paperOut: true });
    try {
      const run = await runTill(['escpos', '--connect', networkPrinter.wire.replace(/^tcp:/, ''), '--jobs', '2']);
      expect(run.code).toBe(1);
      expect(run.jobs.map((j) => [j.outcome, j.paper])).toEqual([
        ['paper-out', 'out'],
        ['paper-out', 'out'],
      ]);
      expect(run.summary).toMatchObject({ printed: 0, failed: 2 });
    } finally {
      await networkPrinter.setFaults({ paperOut: false });
    }
  });
});

describe('posdiag till usage', () => {
  it.each([
    [['till'], /which device/],
    [['till', 'zvt'], /exactly one of --port PATH or --connect HOST:PORT/],
    [['till', 'escpos', '--connect', '127.0.0.1:9100', '--payments', '3'], /--payments is for zvt/],
    [['till', 'zvt', '--connect', '127.0.0.1:20007', '--jobs', '3'], /--jobs is for escpos/],
    [['till', 'zvt', '--connect', '127.0.0.1:20007', '--amount', '0'], /--amount takes a whole number from 1/],
    [['till', 'zvt', '--connect', 'http://x:1'], /--connect http:\/\/x:1/],
  ])('posdiag %j exits 2', async (args, message) => {
    const { code, stderr } = await runPosdiag(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});
