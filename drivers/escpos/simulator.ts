/**
 * The printer side of ESC/POS status, for tests, demos and `posdiag simulate`.
 *
 * The input is read by the CommandScanner, which knows every command's length, so the simulated
 * printer reads commands where a real one does (§3):
 * - DLE EOT n is answered at once, even while the printer is stopped. So is `10 04 n` inside
 *   print data or another command's parameters (the embedding hazard): Epson printers answer it
 *   wherever it appears, unless `answerEmbeddedDleEot` is turned off;
 * - GS I / GS a / GS r are acted on only as commands (a `1D 49 42` inside an image is pixels),
 *   held while the printer is stopped (paper end, cover open, error) and run when it recovers.
 *
 * It also records what it was given to print (`printed()`), so a test can check that print data
 * went through a passthrough complete and in order.
 *
 * Answers are computed when the command is processed and sent after `slowMs`, so a slow reply
 * carries the state of the moment it was asked for, as a real printer's would.
 */
import type { Simulator, SimulatorContext } from '../model.js';
import {
  encodeAsb,
  encodeEot1,
  encodeEot2,
  encodeEot3,
  encodeEot4,
  encodeInfoText,
  encodePaperSensor,
  type AsbMessage,
} from './codec.js';
import { CommandScanner, type HostEvent } from './command-stream.js';

export interface EscposFaults {
  /** Paper near end: still prints. */
  paperLow: boolean;
  /** Paper end: stops. */
  paperOut: boolean;
  /** Roll-paper cover open: stops. */
  coverOpen: boolean;
  /** Autocutter error (paper jammed at the cutter): stops. */
  cutterError: boolean;
  /** Needs a power cycle: stops. */
  unrecoverableError: boolean;
  /** Print head over temperature (auto-recoverable error): stops until cleared. */
  overheated: boolean;
  /** Answers nothing at all, like a printer that is off or unplugged. */
  mute: boolean;
  /** Wraps every answer in 1-3 random bytes with bit 7 set on each side (never a valid reply). */
  garbage: boolean;
  /** Delay before every answer, in milliseconds. */
  slowMs: number;
}

const noFaults: EscposFaults = {
  paperLow: false,
  paperOut: false,
  coverOpen: false,
  cutterError: false,
  unrecoverableError: false,
  overheated: false,
  mute: false,
  garbage: false,
  slowMs: 0,
};

/** Derived from a complete EscposFaults value, so the list cannot miss a fault. */
export const escposFaultNames = Object.keys(noFaults) as readonly (keyof EscposFaults)[];

export interface EscposSimulatorIdentity {
  /** GS I 66 */
  manufacturer: string;
  /** GS I 67 */
  model: string;
  /** GS I 68 */
  serial: string;
  /** GS I 65 */
  firmware: string;
  /** GS I 1 / 49 */
  modelId: number;
  /** GS I 2 / 50: bit 1 = autocutter installed (§2.6) */
  typeId: number;
  /** GS I 3 / 51 */
  firmwareId: number;
}

export const defaultSimulatorIdentity: EscposSimulatorIdentity = {
  manufacturer: 'POSDIAG',
  model: 'SIM-T80 (simulated)',
  serial: 'SIM0001',
  firmware: '1.00-sim',
  modelId: 0x20,
  typeId: 0x02,
  firmwareId: 0x01,
};

/** A real receive buffer is a few KB; this only keeps a flood of queued commands bounded. */
const MAX_HELD_COMMANDS = 64;

export interface EscposSimulatorOptions {
  /**
   * Keep every byte received except status queries (DLE EOT 1-4, GS I, GS r as commands), in
   * order, up to this many bytes. 0 (the default) keeps nothing.
   */
  captureLimit?: number;
  /**
   * Answer `10 04 n` found inside other commands' parameters or data, as Epson documents its
   * printers do (default true). False makes a printer that answers DLE EOT only as a command.
   */
  answerEmbeddedDleEot?: boolean;
}

/** What the simulated printer was given to print since it was created. */
export interface EscposPrintRecord {
  /** Print data: text, image and bar code bytes, as CommandScanner.dataBytes counts them. */
  bytes: number;
  /** Paper cuts: receipts. */
  receipts: number;
  /** Print data that arrived while the printer was stopped (paper out, cover open, error): not printed yet on a real one. */
  bytesWhileStopped: number;
  /** With `captureLimit`: the bytes received minus status queries, in order. */
  capture?: Uint8Array;
  /** With `captureLimit`: true when more arrived than the limit; `capture` then holds the first part. */
  captureTruncated?: boolean;
}

/** The Simulator contract plus what only a printer has. */
export interface EscposSimulator extends Simulator<EscposFaults> {
  printed(): EscposPrintRecord;
}

/** Which ASB bits each GS a group watches (§2.7): [group bit, ASB byte index, bit mask]. */
const ASB_GROUPS: ReadonlyArray<readonly [number, number, number]> = [
  [0, 0, 0x04], // drawer kick-out connector
  [1, 0, 0x68], // online/offline: offline, cover open, feeding
  [1, 1, 0x01], //   and waiting for online recovery
  [2, 1, 0x6c], // errors
  [3, 2, 0x0f], // roll-paper sensor
  [6, 1, 0x02], // panel switch
];

export function createEscposSimulator(
  ctx: SimulatorContext,
  identity: Partial<EscposSimulatorIdentity> = {},
  options: EscposSimulatorOptions = {},
): EscposSimulator {
  return new SimulatedPrinter(ctx, { ...defaultSimulatorIdentity, ...identity }, options);
}

function isStopped(f: EscposFaults): boolean {
  return f.paperOut || f.coverOpen || f.cutterError || f.unrecoverableError || f.overheated;
}

/** The status a printer with these faults reports. Every stop cause sets the offline bit. */
function asbMessageOf(f: EscposFaults): AsbMessage {
  return {
    drawerPin3High: false,
    offline: isStopped(f),
    coverOpen: f.coverOpen,
    feedingByButton: false,
    waitingForOnlineRecovery: false,
    feedButtonPressed: false,
    recoverableError: false,
    autocutterError: f.cutterError,
    unrecoverableError: f.unrecoverableError,
    autoRecoverableError: f.overheated,
    paperNearEnd: f.paperLow,
    paperEnd: f.paperOut,
  };
}

/** DLE EOT n reply byte (§2.1-2.4), from the same status as the ASB message. */
function eotReply(n: 1 | 2 | 3 | 4, f: EscposFaults): number {
  const m = asbMessageOf(f);
  switch (n) {
    case 1:
      return encodeEot1(m);
    case 2:
      return encodeEot2({
        coverOpen: m.coverOpen,
        feedingByButton: m.feedingByButton,
        stoppedByPaperEnd: m.paperEnd,
        // The summary error flag: DLE EOT 3 tells which (§2.2).
        errorOccurred: m.autocutterError || m.unrecoverableError || m.autoRecoverableError || m.recoverableError,
      });
    case 3:
      return encodeEot3(m);
    case 4:
      return encodeEot4({ nearEnd: m.paperNearEnd, paperEnd: m.paperEnd });
  }
}

/** GS I, GS r and GS a: run in order behind print data, so held while the printer is stopped (§3). */
type QueuedCommand = Extract<HostEvent, { type: 'query' | 'asb-enable' }>;

class SimulatedPrinter implements EscposSimulator {
  private current: EscposFaults = { ...noFaults };
  private closed = false;
  private readonly timers = new Set<{ cancel(): void }>();
  private readonly scanner = new CommandScanner();
  private readonly answerEmbedded: boolean;
  private readonly held: QueuedCommand[] = [];
  private asbMask = 0;
  private lastAsbWatched = '';
  private random = 0x2545f491;
  private bytesWhileStopped = 0;
  private readonly capture: Capture | null;

  constructor(
    private readonly ctx: SimulatorContext,
    private readonly identity: EscposSimulatorIdentity,
    options: EscposSimulatorOptions,
  ) {
    this.answerEmbedded = options.answerEmbeddedDleEot ?? true;
    const limit = options.captureLimit ?? 0;
    this.capture = limit > 0 ? new Capture(limit) : null;
  }

  receive(bytes: Uint8Array): void {
    if (this.closed) return;
    if (this.capture === null) {
      this.read(bytes);
      return;
    }
    // One byte at a time, so a query's bytes are known to be the last three kept when the
    // scanner reports it. The scanner gives the same events however its input is chunked.
    for (let i = 0; i < bytes.length; i++) {
      this.capture.keep(bytes[i] ?? 0);
      this.read(bytes.subarray(i, i + 1));
    }
  }

  printed(): EscposPrintRecord {
    const record: EscposPrintRecord = {
      bytes: this.scanner.dataBytes,
      receipts: this.scanner.cuts,
      bytesWhileStopped: this.bytesWhileStopped,
    };
    if (this.capture !== null) {
      record.capture = this.capture.bytes();
      record.captureTruncated = this.capture.truncated;
    }
    return record;
  }

  faults(): EscposFaults {
    return { ...this.current };
  }

  setFaults(changes: Partial<EscposFaults>): EscposFaults {
    const unknown = Object.keys(changes).filter((k) => !(escposFaultNames as readonly string[]).includes(k));
    if (unknown.length > 0) {
      throw new Error(`unknown escpos fault ${unknown.join(', ')}; known faults: ${escposFaultNames.join(', ')}`);
    }
    const next = { ...this.current };
    for (const name of escposFaultNames) {
      const value: unknown = changes[name];
      if (value === undefined) continue;
      if (name === 'slowMs') {
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
          throw new TypeError(`escpos fault slowMs must be a number of milliseconds >= 0, got ${String(value)}`);
        }
        next.slowMs = value;
      } else {
        if (typeof value !== 'boolean') throw new TypeError(`escpos fault ${name} must be true or false, got ${String(value)}`);
        next[name] = value;
      }
    }
    const wasStopped = isStopped(this.current);
    this.current = next;
    // The status change is reported at once (ASB is not queued behind print data); then the
    // buffer that waited for the recovery is processed.
    this.sendAsbIfChanged();
    if (wasStopped && !isStopped(next)) this.runHeldCommands();
    return this.faults();
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
  }

  private read(bytes: Uint8Array): void {
    const printedBefore = this.scanner.dataBytes;
    // The scanner reads on after a command it does not know, as a printer would; its
    // `synchronised` flag matters to a watcher on the line, not to the printer.
    for (const event of this.scanner.push(bytes)) this.act(event);
    if (isStopped(this.current)) this.bytesWhileStopped += this.scanner.dataBytes - printedBefore;
  }

  private act(event: HostEvent): void {
    switch (event.type) {
      case 'query':
        this.capture?.dropQuery();
        if (event.request.kind === 'eot') this.answer(Uint8Array.of(eotReply(event.request.n, this.current)));
        else this.queue(event);
        return;
      case 'embedded-query':
        if (this.answerEmbedded) this.answer(Uint8Array.of(eotReply(event.request.n, this.current)));
        return;
      case 'asb-enable':
        this.queue(event);
        return;
      default:
        // Cuts and print data are counted by the scanner; other commands change nothing here.
        return;
    }
  }

  private queue(command: QueuedCommand): void {
    if (!isStopped(this.current)) this.runQueued(command);
    else if (this.held.length < MAX_HELD_COMMANDS) this.held.push(command);
  }

  private runHeldCommands(): void {
    while (!isStopped(this.current)) {
      const command = this.held.shift();
      if (command === undefined) return;
      this.runQueued(command);
    }
  }

  private runQueued(command: QueuedCommand): void {
    if (command.type === 'asb-enable') {
      this.asbMask = command.mask;
      this.lastAsbWatched = '';
      // Enabling sends the current status at once (§2.7).
      this.sendAsbIfChanged();
    } else if (command.request.kind === 'info') this.answerInfo(command.request.n);
    else if (command.request.kind === 'status') this.answerStatus(command.request.n);
  }

  /** GS I (§2.6): 1-byte IDs and info B texts; other n are ignored, as clones do. */
  private answerInfo(n: number): void {
    const id = this.identity;
    const oneByte: Record<number, number> = { 1: id.modelId, 2: id.typeId, 3: id.firmwareId };
    const text: Record<number, string> = { 65: id.firmware, 66: id.manufacturer, 67: id.model, 68: id.serial };
    const byte = oneByte[n >= 49 && n <= 51 ? n - 48 : n];
    // Bits 4 and 7 of a 1-byte ID are fixed 0 (§2.6); forced so a bad identity cannot break framing.
    if (byte !== undefined) this.answer(Uint8Array.of(byte & 0x6f));
    else if (text[n] !== undefined) this.answer(encodeInfoText(text[n]));
  }

  /** GS r (§2.5): paper sensor and drawer; only reachable while not stopped. */
  private answerStatus(n: number): void {
    if (n === 1 || n === 49) this.answer(Uint8Array.of(encodePaperSensor({ nearEnd: this.current.paperLow, paperEnd: this.current.paperOut })));
    else if (n === 2 || n === 50) this.answer(Uint8Array.of(0x00));
  }

  private sendAsbIfChanged(): void {
    if ((this.asbMask & 0x4f) === 0) return;
    const message = encodeAsb(asbMessageOf(this.current));
    const watched = ASB_GROUPS.filter(([group]) => (this.asbMask & (1 << group)) !== 0)
      .map(([, index, mask]) => (message[index] ?? 0) & mask)
      .join(',');
    if (watched === this.lastAsbWatched) return;
    this.lastAsbWatched = watched;
    this.answer(message);
  }

  private answer(bytes: Uint8Array): void {
    const { mute, garbage, slowMs } = this.current;
    if (mute) return;
    const out = garbage ? Uint8Array.of(...this.noise(), ...bytes, ...this.noise()) : bytes;
    if (slowMs <= 0) {
      this.ctx.send(out);
      return;
    }
    const timer = this.ctx.schedule(slowMs, () => {
      this.timers.delete(timer);
      if (!this.closed) this.ctx.send(out);
    });
    this.timers.add(timer);
  }

  /** 1-3 bytes with bit 7 set: no ESC/POS reply has bit 7 set (§2.8). Seeded, so runs repeat. */
  private noise(): number[] {
    const length = 1 + (this.nextRandom() % 3);
    return Array.from({ length }, () => 0x80 | (this.nextRandom() & 0x7f));
  }

  private nextRandom(): number {
    // xorshift32
    let x = this.random;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.random = x >>> 0;
    return this.random;
  }
}

/**
 * The bytes received minus status queries, up to a limit. A query is recognised on its last
 * byte, after its first two were kept: `recent` remembers which of the last three bytes were
 * kept, so exactly those are taken back. Once full it stops for good, so what it holds is always
 * the beginning of the stream.
 */
class Capture {
  private buffer = new Uint8Array(256);
  private length = 0;
  /** Bit i set: the byte i places back was kept. */
  private recent = 0;
  truncated = false;

  constructor(private readonly limit: number) {}

  keep(b: number): void {
    const kept = !this.truncated && this.length < this.limit;
    if (!kept) this.truncated = true;
    else {
      if (this.length === this.buffer.length) {
        const grown = new Uint8Array(Math.min(this.limit, this.buffer.length * 2));
        grown.set(this.buffer);
        this.buffer = grown;
      }
      this.buffer[this.length++] = b;
    }
    this.recent = ((this.recent << 1) | (kept ? 1 : 0)) & 0b111;
  }

  /** The last three bytes were a query (DLE EOT n, GS I n, GS r n): not print data. */
  dropQuery(): void {
    for (let bits = this.recent; bits !== 0; bits >>= 1) if (bits & 1) this.length--;
    this.recent = 0;
  }

  bytes(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}
