/**
 * ZVT bitmaps (BMP): a one-byte tag followed by a value whose format is fixed per tag
 * [ZVT PA00P015 §13, PA00P016 §5.2.7–5.2.8], and the message bodies a status monitor reads.
 */
import { decodeTlv, encodeBerLength, readBerLength, type TlvObject } from './tlv.js';

export type BmpFormat = { kind: 'fixed'; bytes: number } | { kind: 'llvar' } | { kind: 'lllvar' } | { kind: 'tlv' };

const fixed = (bytes: number): BmpFormat => ({ kind: 'fixed', bytes });
const llvar: BmpFormat = { kind: 'llvar' };
const lllvar: BmpFormat = { kind: 'lllvar' };

/** Formats of the BMPs defined in ZVT §13. A BMP missing here stops parsing of the rest. */
export const bmpFormats: ReadonlyMap<number, BmpFormat> = new Map<number, BmpFormat>([
  [0x01, fixed(1)], // timeout
  [0x02, fixed(1)], // max. status infos
  [0x03, fixed(1)], // service byte
  [0x04, fixed(6)], // amount, BCD minor units
  [0x05, fixed(1)], // pump number
  [0x06, { kind: 'tlv' }],
  [0x0b, fixed(3)], // trace number, BCD
  [0x0c, fixed(3)], // time HHMMSS, BCD
  [0x0d, fixed(2)], // date MMDD, BCD
  [0x0e, fixed(2)], // expiry YYMM, BCD
  [0x17, fixed(2)], // card sequence number
  [0x19, fixed(1)], // status byte / payment type / card type
  [0x22, llvar], // PAN
  [0x23, llvar], // track 2
  [0x24, lllvar], // track 3
  [0x27, fixed(1)], // result code
  [0x29, fixed(4)], // terminal id, BCD
  [0x2a, fixed(15)], // VU number, ASCII
  [0x2d, llvar], // track 1
  [0x2e, lllvar], // synchronous chip data
  [0x37, fixed(3)], // original trace number
  [0x3a, fixed(2)], // CVV
  [0x3b, fixed(8)], // AID
  [0x3c, lllvar], // additional text
  [0x3d, fixed(3)], // password
  [0x49, fixed(2)], // currency code, BCD
  [0x60, lllvar], // individual totals
  [0x87, fixed(2)], // receipt number, BCD
  [0x88, fixed(3)], // turnover record number
  [0x8a, fixed(1)], // ZVT card type
  [0x8b, llvar], // card name
  [0x8c, fixed(1)], // card type id of the network operator
  [0x92, lllvar], // additional data, ec-cash chip offline
  [0x9a, lllvar], // Geldkarte records
  [0xa0, fixed(1)], // result code AS
  [0xa7, llvar], // chip data EF_ID
  [0xaa, fixed(3)], // date YYMMDD, BCD
  [0xaf, lllvar], // EF_Info
  [0xba, fixed(5)], // AID parameter
  [0xd0, fixed(1)],
  [0xd1, llvar],
  [0xd2, fixed(1)],
  [0xd3, fixed(1)],
  [0xe0, fixed(1)],
  ...[0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8].map((b): [number, BmpFormat] => [b, llvar]),
  [0xe9, fixed(1)],
  [0xea, fixed(1)],
  [0xeb, fixed(8)],
  [0xf0, fixed(1)],
  ...[0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8].map((b): [number, BmpFormat] => [b, llvar]),
  [0xf9, fixed(1)],
  [0xfa, fixed(1)],
  [0xfb, fixed(1)],
  [0xfc, fixed(1)],
]);

export interface BmpField {
  bmp: number;
  /** The value without tag and without LL/LLL/BER length. */
  value: Uint8Array;
  /** For BMP 06: the decoded TLV objects (null when they do not parse). */
  tlv?: TlvObject[] | null;
}

export interface BmpList {
  fields: BmpField[];
  /** Why parsing stopped before the end (unknown BMP, truncated value), or null. */
  error: string | null;
}

/** Parses BMPs from `offset` to the end of `data`. Never throws; stops at the first problem. */
export function decodeBmps(data: Uint8Array, offset = 0): BmpList {
  const fields: BmpField[] = [];
  let i = offset;
  while (i < data.length) {
    const bmp = data[i]!;
    const format = bmpFormats.get(bmp);
    const at = i;
    if (!format) return { fields, error: `unknown BMP ${hex(bmp)} at offset ${at}` };
    i++;
    let length: number;
    if (format.kind === 'fixed') {
      length = format.bytes;
    } else if (format.kind === 'tlv') {
      const len = readBerLength(data, i);
      if (!len.ok) return { fields, error: `BMP 06 at offset ${at}: ${len.error}` };
      i += len.bytes;
      length = len.length;
    } else {
      const digits = format.kind === 'llvar' ? 2 : 3;
      const len = readVarLength(data, i, digits);
      if (len === null) return { fields, error: `BMP ${hex(bmp)} at offset ${at}: bad ${format.kind} length` };
      i += digits;
      length = len;
    }
    if (i + length > data.length) return { fields, error: `BMP ${hex(bmp)} at offset ${at} truncated` };
    const value = data.slice(i, i + length);
    i += length;
    if (format.kind === 'tlv') {
      const tlv = decodeTlv(value);
      fields.push({ bmp, value, tlv: tlv.ok ? tlv.objects : null });
    } else {
      fields.push({ bmp, value });
    }
  }
  return { fields, error: null };
}

/** Encodes BMPs with the lengths their formats need. Throws RangeError on a value that does not fit. */
export function encodeBmps(fields: readonly { bmp: number; value: ArrayLike<number> }[]): Uint8Array {
  const out: number[] = [];
  for (const { bmp, value } of fields) {
    const format = bmpFormats.get(bmp);
    if (!format) throw new RangeError(`unknown BMP ${hex(bmp)}`);
    out.push(bmp);
    if (format.kind === 'fixed') {
      if (value.length !== format.bytes) throw new RangeError(`BMP ${hex(bmp)} takes ${format.bytes} bytes, got ${value.length}`);
    } else if (format.kind === 'tlv') {
      out.push(...encodeBerLength(value.length));
    } else {
      out.push(...encodeVarLength(value.length, format.kind === 'llvar' ? 2 : 3));
    }
    for (let i = 0; i < value.length; i++) out.push(value[i]!);
  }
  return Uint8Array.from(out);
}

export function findBmp(fields: readonly BmpField[], bmp: number): BmpField | undefined {
  return fields.find((f) => f.bmp === bmp);
}

/** LLVAR / LLLVAR length: `Fx Fy [Fz]`, the digits in the low nibbles. Null when not of that form. */
export function readVarLength(data: Uint8Array, offset: number, digits: 2 | 3): number | null {
  let n = 0;
  for (let k = 0; k < digits; k++) {
    const b = data[offset + k];
    if (b === undefined || b >> 4 !== 0xf || (b & 0x0f) > 9) return null;
    n = n * 10 + (b & 0x0f);
  }
  return n;
}

export function encodeVarLength(n: number, digits: 2 | 3): number[] {
  if (!Number.isInteger(n) || n < 0 || n >= 10 ** digits) throw new RangeError(`${n} does not fit ${digits} length digits`);
  const text = String(n).padStart(digits, '0');
  return Array.from(text, (d) => 0xf0 | Number(d));
}

/** Packed BCD to its digit string; nibbles A–F come out as letters (E marks masked PAN digits). */
export function decodeBcd(bytes: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i]! >> 4).toString(16) + (bytes[i]! & 0x0f).toString(16);
  return s.toUpperCase();
}

/** Digits to packed BCD, zero-padded on the left to `bytes` bytes (default: as few as fit). */
export function encodeBcd(digits: string, bytes = Math.ceil(digits.length / 2)): Uint8Array {
  if (!/^\d*$/.test(digits)) throw new RangeError(`BCD takes digits only, got "${digits}"`);
  if (digits.length > bytes * 2) throw new RangeError(`"${digits}" does not fit ${bytes} BCD bytes`);
  const padded = digits.padStart(bytes * 2, '0');
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (Number(padded[2 * i]) << 4) | Number(padded[2 * i + 1]);
  return out;
}

/** BCD digits as a number, or null when a nibble is not a digit. */
export function bcdNumber(bytes: ArrayLike<number>): number | null {
  const digits = decodeBcd(bytes);
  return /^\d+$/.test(digits) ? Number(digits) : null;
}

/** Text in ZVT's 8-bit character set, read as Latin-1 (ASCII for everything status reports use). */
export function decodeText(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('latin1');
}

// ---------------------------------------------------------------------------------------------
// Message bodies

export interface StatusEnquiryCompletion {
  /** Software version (LLLVAR before the status), sent when service-byte bit 1 is clear. */
  softwareVersion: string | null;
  /** Terminal status code [ZVT §11]; null for an empty completion. */
  terminalStatus: number | null;
  /** TLV objects of the container after the status, when sent (service-byte bit 2). */
  tlv: TlvObject[] | null;
  /** What did not parse; the fields above hold what did. */
  problem: string | null;
}

/**
 * Data of the Completion (06 0F) that ends a Status-Enquiry [ZVT §2.56.5]. Positional:
 * `[LLLVAR software version] <terminal status> [06 <TLV>]`. The forms cannot be confused: a
 * version starts `Fx Fy Fz` (4+ bytes), a bare status is 1 byte, a status with TLV has 06 second.
 * ecrterm's try-the-version-first heuristic fails on a bare status F0..F9; this does not.
 */
export function parseStatusEnquiryCompletion(data: Uint8Array): StatusEnquiryCompletion {
  const result: StatusEnquiryCompletion = { softwareVersion: null, terminalStatus: null, tlv: null, problem: null };
  if (data.length === 0) return { ...result, problem: 'empty completion: no terminal status' };
  let i = 0;
  if (data.length >= 4 && data[1] !== 0x06) {
    const n = readVarLength(data, 0, 3);
    if (n !== null && 3 + n < data.length) {
      result.softwareVersion = decodeText(data.subarray(3, 3 + n));
      i = 3 + n;
    }
  }
  result.terminalStatus = data[i]!;
  i++;
  if (i === data.length) return result;
  if (data[i] !== 0x06) return { ...result, problem: `unexpected ${hex(data[i]!)} after the terminal status` };
  const tail = decodeBmps(data, i);
  const container = tail.fields[0];
  if (!container || tail.error) return { ...result, problem: `TLV container: ${tail.error ?? 'missing'}` };
  if (container.tlv === null) return { ...result, problem: 'TLV container does not parse' };
  result.tlv = container.tlv ?? null;
  if (tail.fields.length > 1) result.problem = 'bytes after the TLV container ignored';
  return result;
}

export interface IntermediateStatus {
  /** Intermediate status code [ZVT §3.7, Table 17]. */
  code: number | null;
  /** New T4 in minutes, when the PT sent one. */
  timeoutMinutes: number | null;
  tlv: TlvObject[] | null;
}

/** Data of 04 FF: `<status> [<timeout, 1 byte BCD minutes>] [06 <TLV>]`. */
export function parseIntermediateStatus(data: Uint8Array): IntermediateStatus {
  const code = data[0] ?? null;
  const timeoutByte = data[1];
  const timeoutMinutes = timeoutByte === undefined ? null : bcdNumber([timeoutByte]);
  let tlv: TlvObject[] | null = null;
  if (data.length > 2) {
    const tail = decodeBmps(data, 2);
    tlv = findBmp(tail.fields, 0x06)?.tlv ?? null;
  }
  return { code, timeoutMinutes, tlv };
}

export interface ResultMessage {
  /** BMP 27 of a 04 0F, or the leading result code of a 06 1E; null when absent. */
  resultCode: number | null;
  fields: BmpField[];
  error: string | null;
}

/** Data of a Status-Information (04 0F) or of a generic Completion (06 0F): a BMP list. */
export function parseStatusInformation(data: Uint8Array): ResultMessage {
  const list = decodeBmps(data);
  const rc = findBmp(list.fields, 0x27)?.value[0];
  return { resultCode: rc ?? null, fields: list.fields, error: list.error };
}

/** Data of an Abort (06 1E): `<result code> [BMPs, e.g. 06 <TLV 1F16/1F17>]` [ZVT §3.3]. */
export function parseAbort(data: Uint8Array): ResultMessage {
  if (data.length === 0) return { resultCode: null, fields: [], error: 'abort without result code' };
  const list = decodeBmps(data, 1);
  return { resultCode: data[0]!, fields: list.fields, error: list.error };
}

/**
 * Date and time from BMP 0D (MMDD) or AA (YYMMDD) and 0C (HHMMSS), as sent with End-of-Day
 * totals. Terminal local time; the year of 0D is taken from `reference` (stepping back a year
 * when that would put the date in the future). Returns milliseconds since the epoch, or null.
 */
export function bmpDateTime(fields: readonly BmpField[], reference: Date): number | null {
  const time = findBmp(fields, 0x0c)?.value;
  const longDate = findBmp(fields, 0xaa)?.value;
  const shortDate = findBmp(fields, 0x0d)?.value;
  if (!time || (!longDate && !shortDate)) return null;
  const t = decodeBcd(time);
  if (!/^\d{6}$/.test(t)) return null;
  const [hh, mi, ss] = [Number(t.slice(0, 2)), Number(t.slice(2, 4)), Number(t.slice(4, 6))];
  let year: number;
  let md: string;
  if (longDate) {
    const d = decodeBcd(longDate);
    if (!/^\d{6}$/.test(d)) return null;
    year = 2000 + Number(d.slice(0, 2));
    md = d.slice(2);
  } else {
    md = decodeBcd(shortDate!);
    if (!/^\d{4}$/.test(md)) return null;
    year = reference.getFullYear();
  }
  const [mm, dd] = [Number(md.slice(0, 2)), Number(md.slice(2, 4))];
  if (mm < 1 || mm > 12 || dd < 1 || dd > 31 || hh > 23 || mi > 59 || ss > 59) return null;
  let at = new Date(year, mm - 1, dd, hh, mi, ss).getTime();
  if (!longDate && at > reference.getTime() + 24 * 3600_000) at = new Date(year - 1, mm - 1, dd, hh, mi, ss).getTime();
  return at;
}

function hex(b: number): string {
  return b.toString(16).toUpperCase().padStart(2, '0');
}
