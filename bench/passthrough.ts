/**
 * Passthrough: what sharing a printer with the till costs the till. The agent runs as `posdiag
 * run` with one ESC/POS printer in `mode: passthrough` (pty, idleGap 100ms, polling every
 * 100ms). This benchmark plays both other parties on real ptys: the till (it opens the agent's
 * virtual port at `link`) and the printer (it holds the far end of a socat pty pair whose near
 * end is the agent's `transport`, and answers the agent's DLE EOT queries with "online, paper
 * present", as a printer would).
 *
 * - Latency: one chunk of 16-64 bytes in flight at a time, each carrying a sequence number, timed
 *   from the write on one end to its last byte read on the other; till → device and device →
 *   till. The baseline is the same measurement over a plain socat pty pair (what a till wired to
 *   the printer without posdiag would see, with a socat pair standing in for the cable), taken in
 *   the same run, burst for burst between the passthrough bursts. The difference is what
 *   passthrough adds: the till's pty pair (socat) and the agent's forwarding. Between bursts the
 *   till is quiet for 100-300 ms, so the agent's polls fall at random points and some of the
 *   till's chunks meet one and are held; that is counted, not avoided.
 * - Throughput: a block of text lines (16 MiB each way, 4 MiB with --quick: far above 1 MB and
 *   above 20 s of 115200-baud traffic, 230 KB, and long enough for /proc's 10 ms CPU ticks)
 *   pushed through the passthrough pty as fast as the far end drains it, each direction, with
 *   its SHA-256 compared end to end; against 115200 baud (11,520 bytes/s at 8N1) and against the
 *   plain socat pair. The agent's CPU time (from /proc/PID/stat) and that of its socat (the
 *   till's pty pair) over each run.
 * - Line rate: both directions at once, paced at 11,520 bytes/s each, for 10 s (1 s with
 *   --quick): what forwarding a busy line costs, next to the agent's CPU with the till quiet.
 *
 * Every byte either way uses only characters a printer reads as text and none that match the
 * DLE EOT reply pattern 0xx1xx10: real device-to-till traffic of a printer is replies to the
 * till's own queries, which the watch routes by order; arbitrary bytes would be a test of a
 * protocol no printer speaks.
 */
import { createHash } from 'node:crypto';
import { constants, openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import tty from 'node:tty';
import { isEotReplyByte } from '../drivers/escpos/codec.js';
import { findSocat, openPtyPair, type PtyPair } from '../src/transport/pty-pair.js';
import { type AgentUnderTest, startAgentProcess } from '../test/helpers/agent.js';
import { cpuSeconds, percentile, round } from './proc.js';

const LINE_RATE_BYTES_PER_S = 115_200 / 10; // 8N1: 10 bits on the wire per byte
const DLE = 0x10;
const EOT = 0x04;
const LF = 0x0a;
/** What the printer answers to every DLE EOT n: fixed bits only, i.e. online, no error, paper present. */
const PRINTER_OK = 0x12;

/** Printable bytes a printer prints as text and the passthrough watch can never take for a DLE EOT reply. */
const SAFE = [...Array(0x7f - 0x21).keys()].map((i) => i + 0x21).filter((b) => !isEotReplyByte(b));
const DIGITS = SAFE.slice(0, 10);
const FILLER = SAFE.slice(10);
const SEQ_DIGITS = 7;

function encodeSeq(seq: number): number[] {
  return [...String(seq).padStart(SEQ_DIGITS, '0')].map((d) => DIGITS[Number(d)]!);
}

function decodeSeq(bytes: Uint8Array): number {
  let seq = 0;
  for (const b of bytes) seq = seq * 10 + DIGITS.indexOf(b);
  return seq;
}

/** `seq (7 safe digits) · filler · LF`, `size` bytes in all. */
function chunk(seq: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(encodeSeq(seq));
  for (let i = SEQ_DIGITS; i < size - 1; i++) out[i] = FILLER[(seq + i) % FILLER.length]!;
  out[size - 1] = LF;
  return out;
}

const chunkSize = () => 16 + Math.floor(Math.random() * 49); // 16-64 bytes, like a till's writes

/**
 * One end of a line, reading what the other end wrote: lines (chunks) by sequence number, every
 * byte hashed, and, on the printer's end, the agent's DLE EOT n queries answered and kept out.
 */
class Endpoint {
  private line: number[] = [];
  private waiting = new Map<number, (at: number) => void>();
  private eotState = 0;
  private hash = createHash('sha256');
  bytes = 0;
  /** Bytes this end wrote (the till's: to compare with the agent's own count). */
  written = 0;
  queriesAnswered = 0;
  unexpected = 0;
  private target = Infinity;
  private onTarget: ((at: number) => void) | null = null;

  constructor(
    readonly link: Wire,
    private readonly actsAsPrinter: boolean,
  ) {
    link.onData((data) => this.receive(data, performance.now()));
  }

  private receive(data: Uint8Array, at: number): void {
    let payload = data;
    if (this.actsAsPrinter && (this.eotState !== 0 || data.includes(DLE))) {
      const kept: number[] = [];
      for (const b of data) {
        if (this.eotState === 0 && b === DLE) this.eotState = 1;
        else if (this.eotState === 1 && b === EOT) this.eotState = 2;
        else if (this.eotState === 2) {
          this.eotState = 0;
          this.queriesAnswered++;
          void this.link.write(Uint8Array.of(PRINTER_OK)).catch(() => undefined);
          if (b < 1 || b > 4) this.unexpected++;
        } else {
          if (this.eotState !== 0) this.unexpected++;
          this.eotState = 0;
          kept.push(b);
        }
      }
      payload = Uint8Array.from(kept);
    }
    this.bytes += payload.length;
    this.hash.update(payload);
    if (this.onTarget && this.bytes >= this.target) {
      const done = this.onTarget;
      this.onTarget = null;
      done(at);
    }
    if (this.waiting.size === 0) return;
    for (const b of payload) {
      if (b !== LF) {
        this.line.push(b);
        continue;
      }
      const seq = decodeSeq(Uint8Array.from(this.line.slice(0, SEQ_DIGITS)));
      this.line = [];
      const waiter = this.waiting.get(seq);
      if (waiter) {
        this.waiting.delete(seq);
        waiter(at);
      } else {
        this.unexpected++;
      }
    }
  }

  /** SHA-256 of what arrived since `expectBytes`; starts a new one. */
  digest(): string {
    const hex = this.hash.digest('hex');
    this.hash = createHash('sha256');
    return hex;
  }

  /** Resolves with the time the line with this sequence number was read to its end. */
  arrival(seq: number, timeoutMs = 5_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(seq);
        reject(new Error(`chunk ${seq} did not arrive within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(seq, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }

  /** Starts a fresh byte count and hash; resolves when `total` bytes have arrived. */
  expectBytes(total: number, timeoutMs: number): Promise<number> {
    this.hash = createHash('sha256');
    this.bytes = 0;
    this.line = [];
    this.target = total;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.onTarget = null;
        reject(new Error(`only ${this.bytes} of ${total} bytes arrived within ${timeoutMs} ms`));
      }, timeoutMs);
      this.onTarget = (at) => {
        clearTimeout(timer);
        this.target = Infinity;
        resolve(at);
      };
    });
  }
}

/** One end of a pty as this benchmark holds it: a libuv tty stream, read and written on one handle. */
interface Wire {
  write(bytes: Uint8Array): Promise<void>;
  onData(listener: (chunk: Uint8Array) => void): void;
  close(): Promise<void>;
}

/**
 * The benchmark's own ends are Node tty streams, not node-serialport: serialport's Linux poller
 * (bindings-cpp 13) re-arms a read wait with uv_poll_start(READABLE) and so drops a write's
 * pending wait for WRITABLE; a process that writes a flood while it also reads stalls until the
 * next byte arrives. The benchmark must not measure that in its own stand-ins for the till and
 * the printer (it shows in the agent, see BENCHMARKS.md).
 */
function openEnd(ptyPath: string, actsAsPrinter = false): Endpoint {
  const stream = new tty.ReadStream(openSync(ptyPath, constants.O_RDWR | constants.O_NOCTTY));
  stream.setRawMode(true);
  const wire: Wire = {
    write: (bytes) => new Promise((resolve, reject) => stream.write(bytes, (error) => (error ? reject(error) : resolve()))),
    onData: (listener) => stream.on('data', listener),
    close: () =>
      new Promise((resolve) => {
        // A tty stream with writes still queued may never say 'close'; the fd goes with the process anyway.
        const timer = setTimeout(resolve, 500);
        stream.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        stream.destroy();
      }),
  };
  return new Endpoint(wire, actsAsPrinter);
}

let nextSeq = 0;

/** `count` chunks one after the other, each written once the previous one has arrived. */
async function burst(from: Endpoint, to: Endpoint, count: number, into: number[]): Promise<void> {
  for (let i = 0; i < count; i++) {
    const seq = nextSeq++;
    const bytes = chunk(seq, chunkSize());
    const arrived = to.arrival(seq);
    const started = performance.now();
    from.written += bytes.length;
    await from.link.write(bytes);
    into.push((await arrived) - started);
  }
}

function distribution(samples: number[]) {
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return {
    samples: samples.length,
    minMs: round(Math.min(...samples), 3),
    p10Ms: round(percentile(samples, 10), 3),
    p50Ms: round(percentile(samples, 50), 3),
    p90Ms: round(percentile(samples, 90), 3),
    p99Ms: round(percentile(samples, 99), 3),
    p999Ms: round(percentile(samples, 99.9), 3),
    maxMs: round(Math.max(...samples), 3),
    meanMs: round(mean, 3),
    /** How many took longer than 2 ms and 10 ms: the held ones show here. */
    over2Ms: samples.filter((s) => s > 2).length,
    over10Ms: samples.filter((s) => s > 10).length,
    rawMs: process.env.BENCH_VERBOSE ? samples.map((s) => round(s, 3)) : undefined,
  };
}

/** Text lines of 16-64 bytes, `total` bytes in all (the last line is cut to fit). */
function block(total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (let seq = 0; at < total; seq++) {
    const line = chunk(seq, chunkSize()).subarray(0, total - at);
    out.set(line, at);
    at += line.length;
  }
  return out;
}

/** Writes `data` as fast as the line takes it (16 KiB writes, each awaited), and times it to the last byte read. */
async function push(from: Endpoint, to: Endpoint, data: Uint8Array) {
  const arrived = to.expectBytes(data.length, 120_000);
  const started = performance.now();
  from.written += data.length;
  for (let at = 0; at < data.length; at += 16_384) await from.link.write(data.subarray(at, at + 16_384));
  const finished = await arrived;
  const seconds = (finished - started) / 1000;
  const sent = createHash('sha256').update(data).digest('hex');
  const received = to.digest();
  return { bytes: data.length, seconds: round(seconds, 3), bytesPerSecond: Math.round(data.length / seconds), intact: sent === received && to.bytes === data.length };
}

/** socat processes started by the agent (its till pty pair), from /proc. */
async function childSocats(pid: number): Promise<number[]> {
  try {
    const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).trim().split(/\s+/).filter(Boolean).map(Number);
    const socats: number[] = [];
    for (const child of children) {
      const cmdline = await readFile(`/proc/${child}/cmdline`, 'utf8').catch(() => '');
      if (cmdline.split('\0')[0]?.endsWith('socat')) socats.push(child);
    }
    return socats;
  } catch {
    return [];
  }
}

async function cpuOf(pids: number[]): Promise<number> {
  let total = 0;
  for (const pid of pids) total += await cpuSeconds(pid).catch(() => 0);
  return total;
}

interface PassthroughStatusBody {
  connected: boolean;
  pollCount: number;
  conditions: string[];
  passthrough: { bytesFromTill: number; bytesToTill: number; agentTurns: number; tillChunksHeld: number; longestHoldMs: number; tillBytesDropped: number; lastUnrecognised: string | null } | null;
}

async function printer(agent: AgentUnderTest): Promise<PassthroughStatusBody> {
  return (await agent.get('/api/v1/devices/printer-1')).body as PassthroughStatusBody;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes without waiting (the paced run keeps its own clock); counted like the others. */
function send(end: Endpoint, bytes: Uint8Array): void {
  end.written += bytes.length;
  void end.link.write(bytes).catch(() => undefined);
}

export async function passthroughBench(chunksEachWay: number, throughputBytes: number, lineRateSeconds: number) {
  const socat = await findSocat();
  if (!socat) throw new Error('the benchmark needs socat (apt-get install socat)');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-bench-passthrough-'));
  const pairs: PtyPair[] = [];
  const ends: Endpoint[] = [];
  let agent: AgentUnderTest | null = null;
  try {
    // The printer: the far end of the "cable" the agent owns.
    const cable = await openPtyPair(socat, path.join(dir, 'agent-side'), path.join(dir, 'printer-side'));
    pairs.push(cable);
    const device = openEnd(cable.devicePath, true);
    ends.push(device);
    // The baseline: a till wired straight to a printer, with a socat pair for the cable.
    const plain = await openPtyPair(socat, path.join(dir, 'plain-till'), path.join(dir, 'plain-printer'));
    pairs.push(plain);
    const plainTill = openEnd(plain.hostPath);
    const plainPrinter = openEnd(plain.devicePath);
    ends.push(plainTill, plainPrinter);

    const link = path.join(dir, 'till');
    agent = await startAgentProcess(`
http: { listen: 127.0.0.1:0 }
storage: { dir: ${dir}/data }
log: { level: info, format: json }
devices:
  - id: printer-1
    driver: escpos
    transport: { type: serial, path: ${cable.hostPath}, baudRate: 115200 }
    mode: passthrough
    passthrough: { type: pty, link: ${link}, idleGap: 100ms }
    pollInterval: 100ms
`);
    const a = agent;
    const pid = a.process.child.pid as number;
    await waitFor(async () => {
      const p = await printer(a);
      return p.connected && p.pollCount > 2;
    });
    const till = openEnd(link);
    ends.push(till);

    // Latency, in bursts: passthrough till → device, plain, passthrough device → till, plain; then a quiet gap.
    const burstSize = 20;
    const lat = { tillToDevice: [] as number[], deviceToTill: [] as number[], plainTillToDevice: [] as number[], plainDeviceToTill: [] as number[] };
    const before = await printer(a);
    const latencyStarted = performance.now();
    for (let done = 0; done < chunksEachWay; done += burstSize) {
      const n = Math.min(burstSize, chunksEachWay - done);
      await burst(till, device, n, lat.tillToDevice);
      await burst(plainTill, plainPrinter, n, lat.plainTillToDevice);
      await burst(device, till, n, lat.deviceToTill);
      await burst(plainPrinter, plainTill, n, lat.plainDeviceToTill);
      await pause(100 + Math.random() * 200);
    }
    const latencySeconds = (performance.now() - latencyStarted) / 1000;
    await pause(1_100); // the status counters are published once a second
    const afterLatency = await printer(a);

    // Throughput, one direction at a time, passthrough then plain.
    const data = block(throughputBytes);
    const socats = await childSocats(pid);
    const throughput = async (from: Endpoint, to: Endpoint) => {
      const agentCpu = await cpuSeconds(pid);
      const socatCpu = await cpuOf(socats);
      const result = await push(from, to, data);
      const agentCpuSeconds = (await cpuSeconds(pid)) - agentCpu;
      const socatCpuSeconds = (await cpuOf(socats)) - socatCpu;
      return {
        ...result,
        ratioToLineRate: round(result.bytesPerSecond / LINE_RATE_BYTES_PER_S, 1),
        agentCpuSeconds: round(agentCpuSeconds, 2),
        agentCpuPercentOfOneCore: round((agentCpuSeconds / result.seconds) * 100, 1),
        agentCpuMsPerMb: round((agentCpuSeconds * 1000) / (result.bytes / 1e6), 1),
        tillPtySocatCpuSeconds: socats.length > 0 ? round(socatCpuSeconds, 2) : null,
      };
    };
    const tillToDevice = await throughput(till, device);
    await pause(200);
    const deviceToTill = await throughput(device, till);
    const plainTillToDevice = await push(plainTill, plainPrinter, data);
    const plainDeviceToTill = await push(plainPrinter, plainTill, data);

    // The agent's CPU with the till quiet (polling every 100 ms), then forwarding at line rate:
    // both directions at once, paced at 11,520 bytes/s each, one write per direction every 10 ms.
    await pause(500);
    const idleCpuStart = await cpuSeconds(pid);
    const idleStarted = performance.now();
    await pause(lineRateSeconds * 1000);
    const idleCpuPercent = (((await cpuSeconds(pid)) - idleCpuStart) / ((performance.now() - idleStarted) / 1000)) * 100;
    const lineRate = await (async () => {
      const up = block(Math.round(LINE_RATE_BYTES_PER_S * lineRateSeconds));
      const down = block(up.length);
      const upArrived = device.expectBytes(up.length, lineRateSeconds * 1000 + 30_000);
      const downArrived = till.expectBytes(down.length, lineRateSeconds * 1000 + 30_000);
      const agentCpu = await cpuSeconds(pid);
      const socatCpu = await cpuOf(socats);
      const started = performance.now();
      let writes = 0;
      for (let sent = 0; sent < up.length; ) {
        const due = Math.min(up.length, Math.round(((performance.now() - started) / 1000) * LINE_RATE_BYTES_PER_S));
        if (due > sent) {
          send(till, up.subarray(sent, due));
          send(device, down.subarray(sent, due));
          sent = due;
          writes++;
        }
        await pause(10);
      }
      await Promise.all([upArrived, downArrived]);
      const wall = (performance.now() - started) / 1000;
      const agentCpuSeconds = (await cpuSeconds(pid)) - agentCpu;
      const intact = (end: Endpoint, sent: Uint8Array) => end.bytes === sent.length && end.digest() === createHash('sha256').update(sent).digest('hex');
      return {
        seconds: round(wall, 1),
        bytesEachWay: up.length,
        writesPerSecondEachWay: Math.round(writes / wall),
        intactTillToDevice: intact(device, up),
        intactDeviceToTill: intact(till, down),
        agentCpuPercentOfOneCore: round((agentCpuSeconds / wall) * 100, 2),
        agentCpuPercentIdleSameSetup: round(idleCpuPercent, 2),
        tillPtySocatCpuPercentOfOneCore: socats.length > 0 ? round((((await cpuOf(socats)) - socatCpu) / wall) * 100, 2) : null,
      };
    })();
    await pause(1_100); // the status counters are published once a second
    const end = await printer(a);

    const pt = (s: PassthroughStatusBody) => s.passthrough!;
    const distributions = {
      tillToDevice: distribution(lat.tillToDevice),
      plainTillToDevice: distribution(lat.plainTillToDevice),
      deviceToTill: distribution(lat.deviceToTill),
      plainDeviceToTill: distribution(lat.plainDeviceToTill),
    };
    const added = (through: ReturnType<typeof distribution>, plainOne: ReturnType<typeof distribution>) => ({
      p50Ms: round(through.p50Ms - plainOne.p50Ms, 3),
      p99Ms: round(through.p99Ms - plainOne.p99Ms, 3),
    });
    return {
      name: 'passthrough_escpos_pty',
      setup: 'posdiag run, escpos on a socat pty pair, mode passthrough (pty, idleGap 100ms), pollInterval 100ms; baseline: a plain socat pty pair',
      chunkBytes: '16-64',
      latency: {
        chunksEachWay: chunksEachWay,
        burstSize,
        quietGapMs: '100-300 between bursts',
        seconds: round(latencySeconds, 1),
        ...distributions,
        addedTillToDevice: added(distributions.tillToDevice, distributions.plainTillToDevice),
        addedDeviceToTill: added(distributions.deviceToTill, distributions.plainDeviceToTill),
        agentTurnsMeanwhile: pt(afterLatency).agentTurns - pt(before).agentTurns,
        tillChunksHeld: pt(afterLatency).tillChunksHeld - pt(before).tillChunksHeld,
        longestHoldMs: pt(afterLatency).longestHoldMs,
        targetAddedP99Ms: 2,
      },
      throughput: {
        bytesEachWay: throughputBytes,
        lineRateBytesPerSecond: LINE_RATE_BYTES_PER_S,
        tillToDevice,
        deviceToTill,
        plainTillToDevice: { ...plainTillToDevice, ratioToLineRate: round(plainTillToDevice.bytesPerSecond / LINE_RATE_BYTES_PER_S, 1) },
        plainDeviceToTill: { ...plainDeviceToTill, ratioToLineRate: round(plainDeviceToTill.bytesPerSecond / LINE_RATE_BYTES_PER_S, 1) },
        targetRatioToLineRate: 1,
        lineRateBothWaysAtOnce: lineRate,
      },
      agent: {
        connectedAtEnd: end.connected,
        conditionsAtEnd: end.conditions,
        printerQueriesAnswered: device.queriesAnswered,
        unexpectedBytes: ends.reduce((sum, e) => sum + e.unexpected, 0),
        // The agent's own counts of the till's traffic against what this benchmark wrote.
        bytesFromTill: pt(end).bytesFromTill,
        tillWrote: till.written,
        bytesToTill: pt(end).bytesToTill,
        deviceWroteForTill: device.written,
        tillBytesDropped: pt(end).tillBytesDropped,
        lastUnrecognised: pt(end).lastUnrecognised,
      },
    };
  } finally {
    await agent?.stop();
    for (const e of ends) await e.link.close();
    for (const p of pairs) await p.close();
    await rm(dir, { recursive: true, force: true });
  }
}
