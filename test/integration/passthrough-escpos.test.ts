import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandScanner } from '../../drivers/escpos/command-stream.js';
import { buildPrintJob } from '../../drivers/escpos/print-client.js';
import { serialOpener } from '../../src/transport/serial.js';
import { captureBytes, type PassthroughRig, readCaptureLines, runTill, startPassthroughRig, type TillRun } from '../helpers/passthrough.js';
import { PosdiagProcess } from '../helpers/process.js';
import { waitUntil } from '../helpers/wait.js';

// Passthrough with an ESC/POS printer, all real processes: `posdiag simulate escpos` is the
// printer on a socat pty pair, `posdiag run` owns it with mode: passthrough and offers the till a
// virtual port, `posdiag till escpos` is the till. Both ends capture what they saw; the printer
// must have received exactly the till's bytes with only whole agent bursts (DLE EOT 1-4) between
// commands, and the till must have received exactly the answers to its own queries.

/** What the ESC/POS driver sends on a shared line, in one write: DLE EOT 1, 2, 3, 4. */
const BURST = [0x10, 0x04, 0x01, 0x10, 0x04, 0x02, 0x10, 0x04, 0x03, 0x10, 0x04, 0x04];

const startsWith = (bytes: Uint8Array, at: number, pattern: readonly number[]) =>
  at + pattern.length <= bytes.length && pattern.every((b, k) => bytes[at + k] === b);

const hexAround = (bytes: Uint8Array, at: number) => Buffer.from(bytes.subarray(Math.max(0, at - 8), at + 16)).toString('hex');

/** The offsets of `stream` where a printer's command parser is between commands (0 and the end included). */
function commandBoundaries(stream: Uint8Array): Set<number> {
  const scanner = new CommandScanner();
  const boundaries = new Set<number>();
  if (scanner.atBoundary) boundaries.add(0);
  for (let j = 0; j < stream.length; j++) {
    scanner.push(stream.subarray(j, j + 1));
    if (scanner.atBoundary) boundaries.add(j + 1);
  }
  return boundaries;
}

interface Segment {
  from: 'till' | 'agent';
  bytes: Uint8Array;
}

interface Alignment {
  /** Bytes of the till's stream found at the printer, in order. */
  consumed: number;
  /** Offsets in the till's stream where an agent burst went in (one entry per burst). */
  insertions: number[];
  /** Why the printer's stream is not the till's plus whole bursts; null when it is (so far). */
  failure: string | null;
  segments: Segment[];
}

/**
 * Reads the printer's input `atPrinter` as the till's stream `tillStream` with whole bursts
 * inserted. Stops at the first byte that fits neither; a printer stream that is merely shorter
 * (its capture still being written) is no failure.
 */
function align(atPrinter: Uint8Array, tillStream: Uint8Array): Alignment {
  const insertions: number[] = [];
  const segments: Segment[] = [];
  let i = 0;
  let j = 0;
  let runStart = 0;
  const endRun = () => {
    if (j > runStart) segments.push({ from: 'till', bytes: tillStream.subarray(runStart, j) });
  };
  while (i < atPrinter.length) {
    if (startsWith(atPrinter, i, BURST) && !startsWith(tillStream, j, BURST)) {
      endRun();
      insertions.push(j);
      segments.push({ from: 'agent', bytes: atPrinter.subarray(i, i + BURST.length) });
      i += BURST.length;
      runStart = j;
      continue;
    }
    if (j < tillStream.length && atPrinter[i] === tillStream[j]) {
      i++;
      j++;
      continue;
    }
    // A burst cut short at the end of what was captured so far is not a failure yet.
    const rest = atPrinter.subarray(i);
    if (rest.length < BURST.length && startsWith(Uint8Array.from(BURST), 0, Array.from(rest))) break;
    endRun();
    return {
      consumed: j,
      insertions,
      segments,
      failure:
        j >= tillStream.length
          ? `the printer got ${atPrinter.length - i} bytes more than the till sent and the agent's bursts: ${hexAround(atPrinter, i)}`
          : `printer byte ${i} (${hexAround(atPrinter, i)}) is neither till byte ${j} (${hexAround(tillStream, j)}) nor the start of an agent burst`,
    };
  }
  endRun();
  return { consumed: j, insertions, segments, failure: null };
}

/**
 * Who each real-time status query at the printer came from, in the order the printer answered
 * them (one byte each): the DLE EOT commands and the `10 04 n` inside image data.
 */
function queryOwners(segments: Segment[]): { owners: Array<'till' | 'agent'>; otherQueries: string[] } {
  const scanner = new CommandScanner();
  const owners: Array<'till' | 'agent'> = [];
  const otherQueries: string[] = [];
  for (const segment of segments) {
    for (const event of scanner.push(segment.bytes)) {
      if (event.type === 'embedded-query' || (event.type === 'query' && event.request.kind === 'eot')) owners.push(segment.from);
      else if (event.type === 'query' || event.type === 'query-unknown') otherQueries.push(JSON.stringify(event));
    }
  }
  return { owners, otherQueries };
}

interface LineCheck {
  tillBytes: number;
  printerInBytes: number;
  alignment: Omit<Alignment, 'segments'>;
  /** Insertions strictly inside the till's stream (not before its first or after its last byte). */
  insertionsBetween: number;
  insertionsNotAtBoundary: number[];
  queriesAnswered: number;
  queriesAsked: number;
  otherQueries: string[];
  /** The printer's answers to the till's queries, in order, hex; and what the till received. */
  answersForTill: string;
  tillReceived: string;
  answersForAgent: number;
}

/** The till's bytes both ways from its capture file(s), in order. */
async function tillStreams(captures: string[]): Promise<{ sent: Uint8Array; received: Uint8Array }> {
  const lines = (await Promise.all(captures.map(readCaptureLines))).flat();
  return { sent: captureBytes(lines, 'host->printer'), received: captureBytes(lines, 'printer->host') };
}

/**
 * Compares what the till sent (T) and received (R) with the printer's capture. The capture keeps
 * growing (the agent goes on polling), so it is read until it holds the whole till stream and
 * every query in it has its answer, or until it shows a difference that more lines cannot mend.
 */
async function checkLine(T: Uint8Array, R: Uint8Array, printerCapture: string): Promise<LineCheck> {
  expect(T.length).toBeGreaterThan(0);
  // Else a burst in T could be mistaken for the agent's.
  for (let j = 0; j < T.length; j++) expect(startsWith(T, j, BURST), `the till itself sent a burst at ${j}`).toBe(false);
  const boundaries = commandBoundaries(T);

  const analyse = async (): Promise<LineCheck> => {
    const printerLines = await readCaptureLines(printerCapture);
    const D = captureBytes(printerLines, 'in');
    const O = captureBytes(printerLines, 'out');
    const { segments, ...alignment } = align(D, T);
    const { owners, otherQueries } = queryOwners(segments);
    const forTill: number[] = [];
    let forAgent = 0;
    owners.forEach((owner, k) => {
      if (k >= O.length) return;
      if (owner === 'till') forTill.push(O[k]!);
      else forAgent++;
    });
    return {
      tillBytes: T.length,
      printerInBytes: D.length,
      alignment,
      insertionsBetween: alignment.insertions.filter((j) => j > 0 && j < T.length).length,
      insertionsNotAtBoundary: alignment.insertions.filter((j) => !boundaries.has(j)),
      queriesAnswered: O.length,
      queriesAsked: owners.length,
      otherQueries,
      answersForTill: Buffer.from(forTill).toString('hex'),
      tillReceived: Buffer.from(R).toString('hex'),
      answersForAgent: forAgent,
    };
  };
  const complete = (c: LineCheck) => c.alignment.failure !== null || (c.alignment.consumed === T.length && c.queriesAnswered === c.queriesAsked);
  let check = await analyse();
  const deadline = Date.now() + 10_000;
  while (!complete(check) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    check = await analyse();
  }
  return check;
}

function expectCleanLine(check: LineCheck) {
  expect(check.alignment.failure).toBeNull();
  expect(check.alignment.consumed).toBe(check.tillBytes);
  expect(check.insertionsNotAtBoundary).toEqual([]);
  expect(check.otherQueries).toEqual([]);
  expect(check.queriesAnswered).toBe(check.queriesAsked);
  // Byte-exact: the till got the answers to its own queries, no more, no fewer, in order...
  expect(check.answersForTill).toBe(check.tillReceived);
  // ... and everything else the printer sent was the agent's: four answers per burst.
  expect(check.answersForAgent).toBe(4 * check.alignment.insertions.length);
}

const jobLines = (run: TillRun) => run.lines.filter((l) => l.event === 'job');

const concat = (...parts: Uint8Array[]) => Uint8Array.from(Buffer.concat(parts));

/** How many real-time status requests (DLE EOT n, and 10 04 n inside data) a printer answers in `bytes`. */
function realTimeRequests(scanner: CommandScanner, bytes: Uint8Array): number {
  return scanner.push(bytes).filter((e) => e.type === 'embedded-query' || (e.type === 'query' && e.request.kind === 'eot')).length;
}

/**
 * A receipt cut inside its commands, as a slow serial line delivers it: inside ESC ! before its
 * parameter, inside GS v 0's header, in the raster data right after the embedded 10 04 01 and
 * 10 04 04 (their answers then leave nothing outstanding: only the command boundary stops an
 * agent query there), inside the embedded 1D 56 00, in the bar code, and before GS V's last byte.
 */
function piecesInsideCommands(job: Uint8Array): Uint8Array[] {
  const find = (pattern: number[]) => {
    for (let i = 0; i < job.length; i++) if (startsWith(job, i, pattern)) return i;
    throw new Error(`no ${Buffer.from(pattern).toString('hex')} in the job`);
  };
  const raster = find([0x1d, 0x76, 0x30, 0x00]);
  const data = raster + 8;
  expect(startsWith(job, data + 8, [0x10, 0x04, 0x01]) && startsWith(job, data + 48, [0x10, 0x04, 0x04])).toBe(true);
  const cuts = [find([0x1b, 0x21, 0x30]) + 2, raster + 4, data + 11, data + 51, data + 89, find([0x1d, 0x6b, 0x49]) + 6, job.length - 1];
  // Each cut is inside a command: a burst there would be a parameter or pixels.
  const boundaries = commandBoundaries(job);
  expect(cuts.filter((c) => boundaries.has(c))).toEqual([]);
  return [0, ...cuts].map((from, k, all) => job.subarray(from, all[k + 1] ?? job.length));
}

describe('passthrough: ESC/POS printer on a serial pty, till on a virtual pty', () => {
  let rig: PassthroughRig;
  /** Everything tills sent and received so far through the virtual port, for the byte-exact checks. */
  let tillSent: Uint8Array = new Uint8Array();
  let tillReceived: Uint8Array = new Uint8Array();

  beforeAll(async () => {
    // Paper near end makes the DLE EOT 4 answer (1E) differ from DLE EOT 1-3 (12): an answer
    // handed to the wrong party shows in the bytes the till receives.
    rig = await startPassthroughRig({
      driver: 'escpos',
      deviceId: 'printer-1',
      till: 'pty',
      pollInterval: '10ms',
      idleGap: '0ms',
      captureDevice: true,
      faults: ['paperLow=true'],
    });
    await waitUntil(rig.device, (d) => d?.connected === true && d.printer.status === 'paper_low', { what: 'printer connected through passthrough' });
  });

  afterAll(async () => {
    await rig?.stop();
  });

  /** No faults, and the agent has seen so. */
  const healthy = async () => {
    await rig.simulator.setFaults({ paperLow: false, paperOut: false });
    return waitUntil(rig.device, (d) => d.connected && d.printer.status === 'ok' && d.conditions.length === 0, { what: 'healthy printer' });
  };

  it('forwards 30 receipts byte-exact and in order while the agent polls between commands', async () => {
    const tillCapture = path.join(rig.dir, 'till-30.jsonl');
    const run = await runTill(['escpos', ...rig.tillArgs, '--jobs', '30', '--pause', '20', '--capture', tillCapture]);
    expect(run.stderr).toEqual([]);
    expect(run.summary).toMatchObject({ device: 'escpos', jobs: 30, printed: 30, failed: 0, strayBytes: 0, stopped: null });
    expect(run.code).toBe(0);
    // The logo's 10 04 01 and 10 04 04 and the till's own DLE EOT 4: three answers per job.
    for (const job of jobLines(run)) expect(job).toMatchObject({ outcome: 'printed', replies: '12 1E 1E', paper: 'near-end' });

    const { sent, received } = await tillStreams([tillCapture]);
    tillSent = sent;
    tillReceived = received;
    const check = await checkLine(sent, received, rig.deviceCapture!);
    expectCleanLine(check);
    // Without bursts inside the till's stream, this test would prove nothing.
    expect(check.insertionsBetween).toBeGreaterThan(0);
    console.info(
      `passthrough-escpos pty: ${check.tillBytes} till bytes, ${check.alignment.insertions.length} agent bursts at the printer, ${check.insertionsBetween} of them inside the till's stream`,
    );

    // The status page counts what the captures show (counters refresh within a second).
    const device = await waitUntil(rig.device, (d) => d.passthrough?.bytesFromTill === check.tillBytes && d.passthrough.receipts === 30, {
      what: 'passthrough counters caught up',
    });
    expect(device.passthrough).toMatchObject({
      till: rig.tillDescription,
      tillConnected: null,
      bytesFromTill: check.tillBytes,
      bytesToTill: check.tillReceived.length / 2,
      tillBytesDropped: 0,
      receipts: 30,
      lastUnrecognised: null,
    });
    // Published after the till's last byte went through: every burst inside its stream is counted.
    expect(device.passthrough.agentTurns).toBeGreaterThanOrEqual(check.insertionsBetween);
  });

  it('never puts a query inside a command that reaches the printer in pieces (a slow till)', async () => {
    const tillPort = rig.tillArgs[1]!;
    const link = await serialOpener({ path: tillPort, baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1, rtscts: false }, () => undefined)();
    const answers: number[] = [];
    link.onData((chunk) => answers.push(...chunk));
    const scanner = new CommandScanner();
    let asked = 0;
    let sent = tillSent;
    let windows = 0;
    let unsent: Uint8Array[] = [];
    try {
      for (const seed of [101, 102, 103]) {
        unsent = [...piecesInsideCommands(buildPrintJob(seed).bytes), Uint8Array.of(0x10, 0x04, 0x04)];
        while (unsent.length > 0) {
          const piece = unsent.shift()!;
          await link.write(piece);
          sent = concat(sent, piece);
          asked += realTimeRequests(scanner, piece);
          // The piece is at the printer, so the agent has forwarded it and stands inside a command ...
          const at = await waitUntil(
            async () => align(captureBytes(await readCaptureLines(rig.deviceCapture!), 'in'), sent),
            (a) => a.failure !== null || a.consumed === sent.length,
            { what: `piece ${windows} at the printer` },
          );
          expect(at.failure).toBeNull();
          const boundaries = commandBoundaries(sent);
          expect(at.insertions.filter((j) => !boundaries.has(j)), 'agent bursts inside a till command (offsets in its stream)').toEqual([]);
          await waitUntil(async () => answers.length, (n) => n >= asked, { what: `${asked} answers` });
          if (!scanner.atBoundary) {
            // ... which the status page shows; meanwhile the agent keeps wanting to poll.
            const device = await rig.device();
            expect(device.passthrough.activity).toBe('till: printing');
            windows++;
          }
        }
      }
    } finally {
      // A failed check must not leave the line inside a command: the agent would wait for its end.
      if (unsent.length > 0) await link.write(concat(...unsent)).catch(() => undefined);
      await link.close();
    }
    expect(windows).toBe(3 * 7);
    expect(answers.length).toBe(asked);
    const check = await checkLine(sent, concat(tillReceived, Uint8Array.from(answers)), rig.deviceCapture!);
    expectCleanLine(check);
    tillSent = sent;
    tillReceived = concat(tillReceived, Uint8Array.from(answers));
    // The agent went on polling between the jobs (after each job's paper check).
    expect(check.insertionsBetween).toBeGreaterThan(0);
  });

  it('keeps the printer status current between jobs: paper out while the till is idle, then a job sees it too', async () => {
    await healthy();
    await rig.simulator.setFaults({ paperOut: true });
    try {
      const out = await waitUntil(rig.device, (d) => d.conditions.includes('printer.paper_out'), { what: 'printer.paper_out' });
      expect(out.printer.status).toBe('no_paper');
      expect(out.connected).toBe(true);

      const run = await runTill(['escpos', ...rig.tillArgs, '--jobs', '1']);
      expect(run.code).toBe(1);
      expect(jobLines(run)).toEqual([expect.objectContaining({ outcome: 'paper-out', paper: 'out' })]);
      expect(run.summary).toMatchObject({ printed: 0, failed: 1, strayBytes: 0 });
    } finally {
      await rig.simulator.setFaults({ paperOut: false });
    }
    const back = await waitUntil(rig.device, (d) => d.printer.status === 'ok' && d.conditions.length === 0, { what: 'paper back' });
    expect(back.connected).toBe(true);
  });

  it('serves a till that opens and closes the virtual port again and again', async () => {
    await healthy();
    for (let round = 1; round <= 5; round++) {
      const run = await runTill(['escpos', ...rig.tillArgs, '--jobs', '2']);
      expect({ round, code: run.code, stderr: run.stderr }).toEqual({ round, code: 0, stderr: [] });
      expect(run.summary).toMatchObject({ jobs: 2, printed: 2, strayBytes: 0 });
      for (const job of jobLines(run)) expect(job).toMatchObject({ outcome: 'printed', replies: '12 12 12' });
    }
  });

  it('on unplug the till gets no answers and the printer is reported unreachable; on replug printing resumes', async () => {
    await healthy();
    // The till keeps the virtual port open across the unplug: one job before, one after (2.5 s later).
    const till = new PosdiagProcess(['till', 'escpos', ...rig.tillArgs, '--jobs', '2', '--pause', '2500']);
    try {
      const first = await till.waitForLine((l) => l.event === 'job' && l.n === 1);
      expect(first).toMatchObject({ outcome: 'printed' });
      await rig.unplug();
      const gone = await waitUntil(rig.device, (d) => d.connected === false && d.conditions.includes('device.unreachable'), { what: 'printer unreachable' });
      expect(gone.lastError).toBeTruthy();

      const second = await till.waitForLine((l) => l.event === 'job' && l.n === 2, 20_000);
      expect(second).toMatchObject({ outcome: 'timeout', replies: '' });
      expect(await till.exited).toBe(1);
      // The till's second job went nowhere, and the status says so.
      await waitUntil(rig.device, (d) => d.passthrough.tillBytesDropped >= Number(second.bytes), { what: 'dropped till bytes counted' });
    } finally {
      await till.kill();
    }

    await rig.replug();
    // Connected alone is not enough: the agent may have opened its end before the printer had its
    // own, and then gives that link up after two unanswered polls. A poll answered after the
    // printer was back means the link in use now carries bytes.
    const replugged = Date.now();
    await waitUntil(rig.device, (d) => d.connected === true && d.conditions.length === 0 && Date.parse(d.lastSeenAt) >= replugged, {
      what: 'printer reconnected and answering',
      timeoutMs: 20_000,
    });
    const run = await runTill(['escpos', ...rig.tillArgs, '--jobs', '1']);
    expect(run.code).toBe(0);
    expect(run.summary).toMatchObject({ printed: 1, strayBytes: 0 });
    expect(rig.agent.process.child.exitCode).toBeNull();
  });

  it('a till that closes the virtual port in the middle of a command does not blind the agent', async () => {
    await healthy();
    const open = serialOpener({ path: rig.tillArgs[1]!, baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1, rtscts: false }, () => undefined);
    const link = await open();
    const job = buildPrintJob(1).bytes;
    await link.write(job.subarray(0, job.length - 1)); // the job's closing GS V 66 n without its n
    await link.close();
    const abandoned = Date.now();
    // Polls wait while the till is inside a command; 5 s of silence there means the till is gone.
    await waitUntil(rig.device, (d) => d.passthrough.activity === null && Date.parse(d.lastSeenAt) >= abandoned + 5_000, {
      what: 'agent polling again after the abandoned command',
      timeoutMs: 20_000,
    });
    await rig.simulator.setFaults({ paperOut: true });
    try {
      await waitUntil(rig.device, (d) => d.conditions.includes('printer.paper_out'), { what: 'printer.paper_out' });
    } finally {
      await rig.simulator.setFaults({ paperOut: false });
    }
  });
});

describe('passthrough: ESC/POS printer on a serial pty, shared as a TCP port', () => {
  let rig: PassthroughRig;

  beforeAll(async () => {
    rig = await startPassthroughRig({ driver: 'escpos', deviceId: 'printer-1', till: 'tcp', pollInterval: '20ms', idleGap: '0ms', captureDevice: true });
    // The TCP port refuses tills until the printer is there, as the printer itself would.
    await waitUntil(rig.device, (d) => d?.connected === true && d.printer.status === 'ok', { what: 'printer connected through passthrough' });
  });

  afterAll(async () => {
    await rig?.stop();
  });

  it('forwards two till connections one after the other byte-exact', async () => {
    const captures = [path.join(rig.dir, 'till-a.jsonl'), path.join(rig.dir, 'till-b.jsonl')];
    for (const capture of captures) {
      const run = await runTill(['escpos', ...rig.tillArgs, '--jobs', '10', '--pause', '20', '--capture', capture]);
      expect(run.stderr).toEqual([]);
      expect(run.summary).toMatchObject({ jobs: 10, printed: 10, strayBytes: 0 });
      expect(run.code).toBe(0);
      await waitUntil(rig.device, (d) => d.passthrough.tillConnected === false, { what: 'till connection closed' });
    }
    const { sent, received } = await tillStreams(captures);
    const check = await checkLine(sent, received, rig.deviceCapture!);
    expectCleanLine(check);
    expect(check.insertionsBetween).toBeGreaterThan(0);
    console.info(
      `passthrough-escpos tcp: ${check.tillBytes} till bytes, ${check.alignment.insertions.length} agent bursts at the printer, ${check.insertionsBetween} of them inside the till's stream`,
    );
    const device = await rig.device();
    expect(device.passthrough).toMatchObject({ till: rig.tillDescription, tillBytesDropped: 0 });
  });
});
