/**
 * The contract between the agent and its device drivers.
 *
 * A driver turns a byte link into readings in the shared status vocabulary (UnifiedPOS power
 * states, nexo printer and global states). It knows nothing of HTTP, alerts, storage or
 * reconnecting: the agent hands it an open link, asks it to poll, and tells it when the link
 * is gone. Everything here is plain data or an interface; no I/O.
 */

/** UnifiedPOS PowerState, lower-cased (PS_ONLINE → online). */
export type Power = 'online' | 'off' | 'offline' | 'off_offline' | 'unknown';

/** nexo PrinterStatus. */
export type PrinterStatus = 'ok' | 'paper_low' | 'no_paper' | 'paper_jam' | 'out_of_order' | 'unknown';

/** nexo GlobalStatus. */
export type GlobalStatus = 'ok' | 'busy' | 'maintenance' | 'unreachable';

export type CardReaderStatus = 'ok' | 'fault' | 'unknown';

export interface PrinterReading {
  status: PrinterStatus;
  coverOpen: boolean;
  /** The printer answers but has stopped printing (cover, paper end, error, or FEED held). */
  offline: boolean;
  /** Paper near end (may print on, but soon will not). */
  paperLow: boolean;
  /** Paper end: printing has stopped. */
  paperOut: boolean;
  /** Autocutter error, usually paper jammed at the cutter. Cleared by fixing the cause. */
  cutterError: boolean;
  /** Needs a power cycle (and often service). */
  unrecoverableError: boolean;
  /** Clears by itself, e.g. print head over temperature. */
  autoRecoverableError: boolean;
  /** Raw level of the cash drawer kick connector pin 3; what it means depends on the drawer. */
  drawerPin3High: boolean | null;
}

export interface DeviceIdentity {
  manufacturer: string | null;
  model: string | null;
  serial: string | null;
  firmware: string | null;
}

/**
 * What a driver learned about a device that answered. Fields the protocol cannot tell are null;
 * fields it can tell are never null (a closed cover is `coverOpen: false`).
 */
export interface DeviceReading {
  power: Power;
  globalStatus: GlobalStatus;
  printer: PrinterReading | null;
  cardReader: CardReaderStatus | null;
  locked: boolean | null;
  loggedOn: boolean | null;
  tamper: boolean | null;
  /** ISO-8601 time of the last successful end-of-day settlement, where known. */
  lastSettlementAt: string | null;
  /** Payment terminal: out of order, only a technician can help (ZVT status DF, lock bit). */
  outOfOrder: boolean | null;
  /** Payment terminal: an end-of-day settlement is required by the terminal or overdue. */
  settlementDue: boolean | null;
}

/**
 * What carries the bytes: a serial line (RS-232, USB-serial, a pty) or a TCP connection. Most
 * protocols do not care; some frame differently on each (ZVT: DLE/CRC blocks with ACK on serial,
 * bare APDUs on TCP).
 */
export type TransportKind = 'serial' | 'tcp';

/** A duplex byte pipe to a device, already open. Owned by the agent, lent to the driver. */
export interface DeviceLink {
  write(bytes: Uint8Array): Promise<void>;
  /** Subscribes to received bytes; returns the unsubscribe function. */
  onData(listener: (chunk: Uint8Array) => void): () => void;
}

/** Where a driver writes what it wants the operator or support to know. */
export interface DriverLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Thrown (rejected) when the device did not answer in time; the agent counts these. */
export class DeviceTimeoutError extends Error {
  override readonly name = 'DeviceTimeoutError';
  constructor(
    readonly request: string,
    readonly timeoutMs: number,
  ) {
    super(`no answer to ${request} within ${timeoutMs} ms`);
  }
}

export interface DriverContext<Options> {
  link: DeviceLink;
  transport: TransportKind;
  options: Options;
  /** Per-request timeout in milliseconds. */
  requestTimeoutMs: number;
  log: DriverLog;
  /** For drivers that learn state without being asked (ESC/POS Automatic Status Back). */
  onUnsolicitedReading(reading: DeviceReading): void;
  now(): number;
}

export interface Driver {
  /**
   * Runs once after each (re)connect, before the first poll: enable automatic status, read the
   * identity. Must not throw for a device that simply lacks an optional feature.
   */
  start(): Promise<void>;
  /** One status round over the link. Rejects with DeviceTimeoutError when the device is silent. */
  poll(): Promise<DeviceReading>;
  /** Model, serial number, firmware as far as known. */
  identity(): DeviceIdentity;
  /** The link is gone: drop pending requests, forget per-connection state. */
  stop(): void;
}

/**
 * The device side of a protocol, for tests, demos and `posdiag simulate`. Pure state: bytes go
 * in through `receive`, answers come out through the `send` callback given at creation, faults
 * are flags switched with `setFaults`. Timing (slow answers) goes through the injected scheduler.
 */
export interface Simulator<Faults extends object> {
  receive(bytes: Uint8Array): void;
  faults(): Faults;
  /** Switches faults; unknown names are rejected with an Error naming them and the known ones. */
  setFaults(changes: Partial<Faults>): Faults;
  /** Stops pending timers. */
  close(): void;
}

export interface SimulatorContext {
  /** The kind of link the simulated device sits on (see TransportKind). */
  transport: TransportKind;
  send(bytes: Uint8Array): void;
  /** setTimeout in production, a fake in unit tests. */
  schedule(delayMs: number, fn: () => void): { cancel(): void };
}
