/**
 * The printer side of ESC/POS status, for tests, demos and `posdiag simulate`.
 *
 * Two parsers read the same bytes, as on a real printer (§3):
 * - a real-time scanner that answers `10 04 n` wherever it appears, even inside print data or
 *   another command's parameters (the embedding hazard), and even while the printer is stopped;
 * - a queued-command parser for GS I / GS a / GS r. Everything else (print data, other
 *   commands) is skipped. Queued commands are held while the printer is stopped (paper end,
 *   cover open, error) and run when it recovers.
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

const DLE = 0x10;
const EOT = 0x04;
const GS = 0x1d;
const GS_I = 0x49;
const GS_A = 0x61;
const GS_R = 0x72;
/** A real receive buffer is a few KB; this only keeps a flood of queued commands bounded. */
const MAX_HELD_COMMANDS = 64;

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
): Simulator<EscposFaults> {
  return new EscposSimulator(ctx, { ...defaultSimulatorIdentity, ...identity });
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

class EscposSimulator implements Simulator<EscposFaults> {
  private current: EscposFaults = { ...noFaults };
  private closed = false;
  private readonly timers = new Set<{ cancel(): void }>();
  /** The last two bytes seen, for the real-time `10 04 n` scanner. */
  private previous: [number, number] = [-1, -1];
  /** Queued-command parser: after GS, or waiting for the parameter of GS I / GS a / GS r. */
  private afterGs = false;
  private pendingCommand: number | null = null;
  private readonly held: Array<[command: number, n: number]> = [];
  private asbMask = 0;
  private lastAsbWatched = '';
  private random = 0x2545f491;

  constructor(
    private readonly ctx: SimulatorContext,
    private readonly identity: EscposSimulatorIdentity,
  ) {}

  receive(bytes: Uint8Array): void {
    if (this.closed) return;
    for (const b of bytes) {
      this.scanRealTime(b);
      this.parseQueued(b);
    }
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

  private scanRealTime(b: number): void {
    const [beforeLast, last] = this.previous;
    if (beforeLast === DLE && last === EOT && (b === 1 || b === 2 || b === 3 || b === 4)) {
      this.answer(Uint8Array.of(eotReply(b, this.current)));
      this.previous = [-1, -1];
      return;
    }
    this.previous = [last, b];
  }

  private parseQueued(b: number): void {
    if (this.pendingCommand !== null) {
      const command = this.pendingCommand;
      this.pendingCommand = null;
      if (!isStopped(this.current)) this.runQueued(command, b);
      else if (this.held.length < MAX_HELD_COMMANDS) this.held.push([command, b]);
    } else if (this.afterGs && (b === GS_I || b === GS_A || b === GS_R)) {
      this.pendingCommand = b;
      this.afterGs = false;
    } else {
      // Print data and unknown commands are skipped byte by byte.
      this.afterGs = b === GS;
    }
  }

  private runHeldCommands(): void {
    while (this.held.length > 0 && !isStopped(this.current)) {
      const [command, n] = this.held.shift() ?? [0, 0];
      this.runQueued(command, n);
    }
  }

  private runQueued(command: number, n: number): void {
    if (command === GS_I) this.answerInfo(n);
    else if (command === GS_R) this.answerStatus(n);
    else if (command === GS_A) {
      this.asbMask = n;
      this.lastAsbWatched = '';
      // Enabling sends the current status at once (§2.7).
      this.sendAsbIfChanged();
    }
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
