/**
 * ESC/POS status bytes: request encoders and reply decoders. Pure functions, no I/O, no timers.
 *
 * Section numbers (§) refer to the project's ESC/POS protocol notes (escpos-and-upos.md).
 * Decoders never throw: a byte with the wrong fixed bits gives `{ ok: false, error }`, so a
 * noisy line is something to count and log, not a crash.
 */

const DLE = 0x10;
const EOT = 0x04;
const GS = 0x1d;

/** Header byte of a "printer information B" block (GS I 65-69): `5F` ASCII text `00` (§2.6). */
export const INFO_B_HEADER = 0x5f;
/** Header byte of a "printer information A" block (GS I 33, 96): `3D` id data `00` (§2.6). */
export const INFO_A_HEADER = 0x3d;
/** Epson allows up to 80 text bytes in an information block; Bixolon 15 (§2.6). */
export const MAX_INFO_TEXT_BYTES = 80;
/** Longest well-formed block: header, identifier (info A only), 80 data bytes, NUL. */
export const MAX_BLOCK_BYTES = 1 + 1 + MAX_INFO_TEXT_BYTES + 1;

export type EotNumber = 1 | 2 | 3 | 4;

/** GS I n that the driver and simulator use: 1-byte IDs (1-3, or 49-51) and info B texts (65-68). */
export type InfoNumber = 1 | 2 | 3 | 49 | 50 | 51 | 65 | 66 | 67 | 68 | 69;

// ---------------------------------------------------------------------------------------------
// Requests (§1)

/** DLE EOT n, real-time status (§1): answered ahead of queued data, even while offline (§3). */
export function dleEot(n: EotNumber): Uint8Array {
  return Uint8Array.of(DLE, EOT, n);
}

/** GS I n, printer ID / information (§2.6). Queued: not answered while the printer is stopped (§3). */
export function gsInfo(n: InfoNumber): Uint8Array {
  return Uint8Array.of(GS, 0x49, n);
}

/** GS a n, Automatic Status Back enable mask (§2.7); 0 disables. Queued, like GS I. */
export function gsAsb(mask: number): Uint8Array {
  return Uint8Array.of(GS, 0x61, mask & 0xff);
}

/** GS r n, transmit status (§2.5); 1/49 paper sensor, 2/50 drawer. Queued, never a liveness probe. */
export function gsStatus(n: 1 | 2 | 49 | 50): Uint8Array {
  return Uint8Array.of(GS, 0x72, n);
}

/** GS I 1-3 and 49-51 answer one byte; the others answer a block (§2.6). */
export function isOneByteInfo(n: number): boolean {
  return (n >= 1 && n <= 3) || (n >= 49 && n <= 51);
}

// ---------------------------------------------------------------------------------------------
// Reply patterns (§2.8)

/** DLE EOT reply `0xx1xx10`. */
export const isEotReplyByte = (b: number): boolean => (b & 0x93) === 0x12;
/** First ASB byte `0xx1xx00`. */
export const isAsbFirstByte = (b: number): boolean => (b & 0x93) === 0x10;
/** ASB bytes 2-4, GS r replies and GS I 1-byte IDs `0xx0xxxx`. */
export const isPlainReplyByte = (b: number): boolean => (b & 0x90) === 0x00;
/** XON / XOFF, inserted by a printer using software flow control (§3). */
export const isFlowControlByte = (b: number): boolean => b === 0x11 || b === 0x13;

// ---------------------------------------------------------------------------------------------
// Decoded shapes

export interface CodecError {
  code: 'fixed-bits' | 'length' | 'block-header' | 'block-terminator' | 'block-text';
  message: string;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: CodecError };

/** DLE EOT 1, printer status (§2.1). */
export interface Eot1Printer {
  drawerPin3High: boolean;
  offline: boolean;
  /** Newer firmware only; undefined (ignore) on older models (§2.1). */
  waitingForOnlineRecovery: boolean;
  feedButtonPressed: boolean;
}

/** DLE EOT 2, offline cause (§2.2). */
export interface Eot2OfflineCause {
  coverOpen: boolean;
  feedingByButton: boolean;
  /** Printing stopped by the paper-end (or a stopping near-end) sensor. */
  stoppedByPaperEnd: boolean;
  /** Summary flag; DLE EOT 3 says which error. */
  errorOccurred: boolean;
}

/** DLE EOT 3, error cause (§2.3). */
export interface Eot3ErrorCause {
  recoverableError: boolean;
  autocutterError: boolean;
  unrecoverableError: boolean;
  autoRecoverableError: boolean;
}

/** DLE EOT 4, roll-paper sensor (§2.4). */
export interface Eot4RollPaper {
  nearEnd: boolean;
  paperEnd: boolean;
}

/** The 4-byte Automatic Status Back message (§2.7). */
export interface AsbMessage {
  drawerPin3High: boolean;
  offline: boolean;
  coverOpen: boolean;
  feedingByButton: boolean;
  waitingForOnlineRecovery: boolean;
  feedButtonPressed: boolean;
  recoverableError: boolean;
  autocutterError: boolean;
  unrecoverableError: boolean;
  autoRecoverableError: boolean;
  paperNearEnd: boolean;
  paperEnd: boolean;
}

/** A GS I information block (§2.6). */
export type InfoBlock =
  | { kind: 'text'; text: string }
  /** `3D id 00`: the printer has no such information. */
  | { kind: 'unavailable'; id: number }
  | { kind: 'data'; id: number; bytes: Uint8Array };

const bit = (b: number, n: number): boolean => (b & (1 << n)) !== 0;
const flag = (on: boolean, n: number): number => (on ? 1 << n : 0);
const hex = (b: number): string => `0x${b.toString(16).padStart(2, '0')}`;

function fail<T>(code: CodecError['code'], message: string): Decoded<T> {
  return { ok: false, error: { code, message } };
}

function eotByte<T>(n: EotNumber, b: number, read: (b: number) => T): Decoded<T> {
  if (!Number.isInteger(b) || b < 0 || b > 0xff) return fail('length', `DLE EOT ${n} reply is not a byte`);
  if (!isEotReplyByte(b)) {
    return fail('fixed-bits', `DLE EOT ${n} reply ${hex(b)} does not match 0xx1xx10 (bits 0,1,4,7 fixed)`);
  }
  return { ok: true, value: read(b) };
}

// ---------------------------------------------------------------------------------------------
// DLE EOT replies

export function decodeEot1(b: number): Decoded<Eot1Printer> {
  return eotByte(1, b, (v) => ({
    drawerPin3High: bit(v, 2),
    offline: bit(v, 3),
    waitingForOnlineRecovery: bit(v, 5),
    feedButtonPressed: bit(v, 6),
  }));
}

export function decodeEot2(b: number): Decoded<Eot2OfflineCause> {
  return eotByte(2, b, (v) => ({
    coverOpen: bit(v, 2),
    feedingByButton: bit(v, 3),
    stoppedByPaperEnd: bit(v, 5),
    errorOccurred: bit(v, 6),
  }));
}

export function decodeEot3(b: number): Decoded<Eot3ErrorCause> {
  return eotByte(3, b, (v) => ({
    recoverableError: bit(v, 2),
    autocutterError: bit(v, 3),
    unrecoverableError: bit(v, 5),
    autoRecoverableError: bit(v, 6),
  }));
}

/** Each sensor pair is decoded as "either bit set": Citizen wires two near-end sensors to bits 2 and 3 (§2.4). */
export function decodeEot4(b: number): Decoded<Eot4RollPaper> {
  return eotByte(4, b, (v) => ({
    nearEnd: (v & 0x0c) !== 0,
    paperEnd: (v & 0x60) !== 0,
  }));
}

/** All replies carry the fixed bits 0x12 (§1). */
export function encodeEot1(s: Eot1Printer): number {
  return 0x12 | flag(s.drawerPin3High, 2) | flag(s.offline, 3) | flag(s.waitingForOnlineRecovery, 5) | flag(s.feedButtonPressed, 6);
}

export function encodeEot2(s: Eot2OfflineCause): number {
  return 0x12 | flag(s.coverOpen, 2) | flag(s.feedingByButton, 3) | flag(s.stoppedByPaperEnd, 5) | flag(s.errorOccurred, 6);
}

export function encodeEot3(s: Eot3ErrorCause): number {
  return 0x12 | flag(s.recoverableError, 2) | flag(s.autocutterError, 3) | flag(s.unrecoverableError, 5) | flag(s.autoRecoverableError, 6);
}

/** Sets both bits of each pair, as a single-sensor Epson does (near end `0x0C`, end `0x60`, §2.4). */
export function encodeEot4(s: Eot4RollPaper): number {
  return 0x12 | (s.nearEnd ? 0x0c : 0) | (s.paperEnd ? 0x60 : 0);
}

// ---------------------------------------------------------------------------------------------
// Automatic Status Back (§2.7)

export function decodeAsb(bytes: Uint8Array): Decoded<AsbMessage> {
  if (bytes.length !== 4) return fail('length', `ASB message has ${bytes.length} bytes, expected 4`);
  const [b1 = 0, b2 = 0, b3 = 0, b4 = 0] = bytes;
  if (!isAsbFirstByte(b1)) return fail('fixed-bits', `ASB byte 1 ${hex(b1)} does not match 0xx1xx00`);
  for (const [i, b] of [b2, b3, b4].entries()) {
    if (!isPlainReplyByte(b)) return fail('fixed-bits', `ASB byte ${i + 2} ${hex(b)} does not match 0xx0xxxx`);
  }
  return {
    ok: true,
    value: {
      drawerPin3High: bit(b1, 2),
      offline: bit(b1, 3),
      coverOpen: bit(b1, 5),
      feedingByButton: bit(b1, 6),
      waitingForOnlineRecovery: bit(b2, 0),
      feedButtonPressed: bit(b2, 1),
      recoverableError: bit(b2, 2),
      autocutterError: bit(b2, 3),
      unrecoverableError: bit(b2, 5),
      autoRecoverableError: bit(b2, 6),
      // Same "either bit" rule as DLE EOT 4, but the GS r layout: near end bits 0-1, end bits 2-3.
      paperNearEnd: (b3 & 0x03) !== 0,
      paperEnd: (b3 & 0x0c) !== 0,
    },
  };
}

export function encodeAsb(m: AsbMessage): Uint8Array {
  return Uint8Array.of(
    0x10 | flag(m.drawerPin3High, 2) | flag(m.offline, 3) | flag(m.coverOpen, 5) | flag(m.feedingByButton, 6),
    flag(m.waitingForOnlineRecovery, 0) |
      flag(m.feedButtonPressed, 1) |
      flag(m.recoverableError, 2) |
      flag(m.autocutterError, 3) |
      flag(m.unrecoverableError, 5) |
      flag(m.autoRecoverableError, 6),
    (m.paperNearEnd ? 0x03 : 0) | (m.paperEnd ? 0x0c : 0),
    0x00,
  );
}

// ---------------------------------------------------------------------------------------------
// GS r (§2.5) and GS I (§2.6)

/** GS r 1 paper byte: near end `0x03`, end `0x0C` (note: not the DLE EOT 4 positions). */
export function encodePaperSensor(s: Eot4RollPaper): number {
  return (s.nearEnd ? 0x03 : 0) | (s.paperEnd ? 0x0c : 0);
}

/** GS r replies and GS I 1-byte IDs share the pattern `0xx0xxxx` (§2.8). */
export function decodeOneByteReply(b: number): Decoded<number> {
  if (!Number.isInteger(b) || b < 0 || b > 0xff) return fail('length', 'reply is not a byte');
  if (!isPlainReplyByte(b)) return fail('fixed-bits', `reply ${hex(b)} does not match 0xx0xxxx`);
  return { ok: true, value: b };
}

const isPrintableAscii = (b: number): boolean => b >= 0x20 && b <= 0x7e;

/** Decodes a whole block, header to NUL included. */
export function decodeInfoBlock(bytes: Uint8Array): Decoded<InfoBlock> {
  const header = bytes[0];
  if (bytes.length > MAX_BLOCK_BYTES) return fail('length', `block of ${bytes.length} bytes exceeds ${MAX_BLOCK_BYTES}`);
  if (bytes[bytes.length - 1] !== 0x00 || bytes.indexOf(0x00) !== bytes.length - 1) {
    return fail('block-terminator', 'block does not end at its first NUL');
  }
  if (header === INFO_B_HEADER) {
    const text = bytes.subarray(1, -1);
    if (text.length > MAX_INFO_TEXT_BYTES) return fail('length', `info B text of ${text.length} bytes exceeds ${MAX_INFO_TEXT_BYTES}`);
    if (!text.every(isPrintableAscii)) return fail('block-text', 'info B text is not printable ASCII');
    return { ok: true, value: { kind: 'text', text: String.fromCharCode(...text) } };
  }
  if (header === INFO_A_HEADER) {
    const id = bytes[1];
    if (id === undefined || bytes.length < 3) return fail('length', 'info A block has no identifier');
    if (bytes.length === 3) return { ok: true, value: { kind: 'unavailable', id } };
    return { ok: true, value: { kind: 'data', id, bytes: bytes.slice(2, -1) } };
  }
  return fail('block-header', `block starts with ${header === undefined ? 'nothing' : hex(header)}, not 0x3d or 0x5f`);
}

/** Builds `5F text 00`. Characters outside printable ASCII become '?' and text past 80 bytes is cut. */
export function encodeInfoText(text: string): Uint8Array {
  const body = Array.from(text.slice(0, MAX_INFO_TEXT_BYTES), (c) => {
    const code = c.charCodeAt(0);
    return isPrintableAscii(code) ? code : 0x3f;
  });
  return Uint8Array.of(INFO_B_HEADER, ...body, 0x00);
}
