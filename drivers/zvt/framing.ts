/**
 * ZVT link framing: the serial block format [PA00P016 §3] and bare APDUs over TCP [§4.1, §5.2.4].
 *
 * Serial block:   DLE STX  APDU (each 10 sent as 10 10)  DLE ETX  CRC-lo CRC-hi
 * answered by a single ACK (06) or NAK (15) byte. Over TCP the APDU travels alone: no DLE, no
 * CRC, no ACK/NAK; the length field is the only framing.
 *
 * This module holds what both framings share: control bytes, the timer table and the framer
 * contract. The framers are in serial-framing.ts and tcp-framing.ts; `createFramer` (codec.ts)
 * picks one. Everything is pure. The framers take the time of each chunk from the caller, so
 * the inter-byte limit (T1) needs no timer inside the codec; `expire(now)` lets the caller's
 * own timer drop a block that stopped half way.
 */
import type { Apdu } from './apdu.js';

export const DLE = 0x10;
export const STX = 0x02;
export const ETX = 0x03;
export const ACK = 0x06;
export const NAK = 0x15;

/**
 * The timers of the ZVT transport [PA00P016 §3.4, §3.5, §5.2.5, §5.2.6]. Values are the spec's
 * limits and defaults; the driver derives its own from the agent's request timeout (driver.ts).
 */
export const zvtTimers = {
  /** T1: longest gap between two bytes of one serial block; the receiver then NAKs. */
  interByteMs: 200,
  /** T2: longest wait from the end of a serial block to its ACK/NAK; the sender then repeats. */
  ackMs: 5_000,
  /** T3: command → 80 00 / 84 xx (default; a timeout inside a command replaces it). */
  responseMs: 5_000,
  /** T4: 80 00 → Completion/Abort; restarted by every 04 FF and 04 0F. */
  completionMs: 180_000,
  /** A block is repeated at most twice after NAK, T1 or T2 (three sends in all). */
  maxRepeats: 2,
} as const;

export type FrameErrorCode =
  /** Serial: the CRC does not match. */
  | 'crc'
  /** Serial: DLE followed by something other than DLE, ETX or STX. */
  | 'dle'
  /** The length field disagrees with the bytes in the block. */
  | 'length'
  /** A block stopped half way for longer than the inter-byte limit. */
  | 'inter-byte-timeout'
  /** A block or APDU larger than the framer's cap. */
  | 'overflow';

export type FrameEvent =
  /** A complete, checked APDU; `bytes` is its encoding without any framing. */
  | { type: 'apdu'; apdu: Apdu; bytes: Uint8Array }
  | { type: 'ack' }
  | { type: 'nak' }
  /** A block was dropped. Over serial the receiver answers it with NAK. */
  | { type: 'error'; code: FrameErrorCode; message: string };

/** Incremental decoder: push what arrived, take complete frames out. Never throws on input. */
export interface Framer {
  push(chunk: Uint8Array, now: number): FrameEvent[];
  /** Drops a block left unfinished for the inter-byte limit; call it from the caller's T1 timer. */
  expire(now: number): FrameEvent[];
  /** True while part of a block is held (the caller may arm its T1 timer). */
  readonly pending: boolean;
  /** Bytes held right now; never more than the cap. */
  readonly buffered: number;
  /** Bytes thrown away so far: noise between blocks and the bytes of dropped blocks. */
  readonly discarded: number;
  reset(): void;
}

export interface FramerOptions {
  /** Largest APDU accepted, framing excluded (default: the largest extended-length APDU). */
  maxApduBytes?: number;
  /** A block with a longer gap between two bytes is dropped (serial: T1 = 200 ms; TCP: T3 = 5 s). */
  interByteTimeoutMs?: number;
}

export type TransportFraming = 'serial' | 'tcp';

/** The shared DriverDefinition has no framing yet; fail loudly rather than guess TCP. */
export function assertFraming(framing: unknown): asserts framing is TransportFraming {
  if (framing !== 'serial' && framing !== 'tcp') {
    throw new TypeError(`zvt needs framing 'serial' or 'tcp' from the transport, got ${String(framing)}`);
  }
}
