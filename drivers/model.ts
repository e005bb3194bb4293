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
  /**
   * Passthrough: the till shares the line. The driver must send only status queries that change
   * nothing on the device (no ASB switching, no queued commands a busy device holds back).
   */
  sharedWithTill?: boolean;
  /** Passthrough: the latest end-of-day the agent saw the till (or terminal) run, epoch ms, or null. */
  settlementSeenAt?(): number | null;
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

// ---------------------------------------------------------------------------------------------
// Passthrough: the agent sits between the till software and the device.

/** Who put bytes on the line toward the device, or is to receive bytes from it. */
export type LineParty = 'till' | 'agent';

/** A run of bytes from the device and who gets it. Bytes are never altered, only routed. */
export interface RoutedBytes {
  to: LineParty;
  bytes: Uint8Array;
}

/**
 * What a watching agent learns from the till's traffic. Events, not totals: the agent counts.
 * `at` is epoch milliseconds.
 */
export type LineObservation =
  /** A card transaction the till ran ended. `failed` ones count toward terminal.transactions_failing. */
  | {
      type: 'transaction';
      kind: 'payment' | 'pre-authorisation' | 'book-total' | 'reversal' | 'refund';
      outcome: 'approved' | 'declined' | 'refused' | 'cancelled' | 'no-completion';
      resultCode: number | null;
      durationMs: number;
      at: number;
    }
  /** An end-of-day (settlement) ended: run by the till, or automatically by the terminal. */
  | { type: 'end-of-day'; ok: boolean; resultCode: number | null; at: number }
  /** The printer was told to cut the paper: one receipt done. */
  | { type: 'receipt'; at: number }
  /** The till sent something the watch cannot frame (an unknown command); injection waits for quiet. */
  | { type: 'unrecognised'; what: string; at: number };

/**
 * The protocol half of passthrough, pure: it sees every byte both ways (in line order), tells
 * whether the line is between exchanges so the agent may send a query of its own, routes the
 * device's replies to whoever asked, and reports what the till's traffic shows. Time comes in.
 */
export interface PassthroughWatch {
  /** Bytes on their way to the device. The agent's come only while `idle` said yes. */
  toDevice(from: LineParty, bytes: Uint8Array, now: number): void;
  /** Bytes from the device, split by recipient, in order; concatenated they are exactly `bytes`. */
  fromDevice(bytes: Uint8Array, now: number): RoutedBytes[];
  /**
   * True when nobody's command is waiting for its end and the till's stream is at a command
   * boundary: an agent query now cannot land inside a till exchange. Lapsed exchanges (the
   * protocol's own timeouts) are forgotten here.
   */
  idle(now: number): boolean;
  /** The agent gave up on its exchange (its own timeout): forget it, keep late replies from the till. */
  agentGaveUp(now: number): void;
  /** The physical link is gone: partial frames and exchanges with it. */
  reset(): void;
  /** Observations since the last call, oldest first. */
  drain(): LineObservation[];
  /** For the status page: the exchange in progress, e.g. "till: payment 06 01", or null. */
  activity(): string | null;
}

export interface PassthroughWatchContext<Options> {
  transport: TransportKind;
  options: Options;
  /** How long the agent waits for its own replies; late ones are still kept from the till. */
  requestTimeoutMs: number;
}
