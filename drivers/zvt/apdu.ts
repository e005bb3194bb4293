/**
 * ZVT application protocol data units [PA00P016 §5.2].
 *
 *   CLASS INSTR LEN DATA…        (commands, either direction)
 *   CCRC  APRC  LEN DATA…        (replies: 80 00 positive, 84 xx negative)
 *
 * LEN counts DATA only. 00..FE is the length itself; FF is followed by two bytes, low byte first
 * ("Lo_Byte Hi_Byte", §5.2.4), for 0..65535 data bytes. Peers that read those two bytes
 * big-endian (zvt-to-mollie, zvt2sumup) are wrong; the Rust, Python and C# libraries and real
 * captures agree on little-endian.
 */

export interface Apdu {
  /** CLASS of a command, or CCRC of a reply (80 / 84). */
  cls: number;
  /** INSTR of a command, or APRC of a reply. */
  ins: number;
  data: Uint8Array;
}

/** Largest data block the extended length can express. */
export const maxApduData = 0xffff;
/** Largest APDU on the wire: two control bytes, FF, two length bytes, 65535 data bytes. */
export const maxApduBytes = 5 + maxApduData;

/**
 * CLASS bytes a ZVT peer sends: 04/05/06/08 commands, 0F vendor commands (e.g. Feig 0F A1),
 * 80/84 replies. Used by the TCP framer to skip bytes that cannot start an APDU.
 */
export const knownApduClasses: readonly number[] = [0x04, 0x05, 0x06, 0x08, 0x0f, 0x80, 0x84];

export type ApduHeader =
  | { status: 'incomplete' }
  | { status: 'ok'; headerBytes: number; dataBytes: number };

/** Reads CLASS, INSTR and LEN from `bytes[offset..end)` without looking at the data. */
export function readApduHeader(bytes: Uint8Array, offset = 0, end = bytes.length): ApduHeader {
  if (end - offset < 3) return { status: 'incomplete' };
  const len = bytes[offset + 2]!;
  if (len !== 0xff) return { status: 'ok', headerBytes: 3, dataBytes: len };
  if (end - offset < 5) return { status: 'incomplete' };
  return { status: 'ok', headerBytes: 5, dataBytes: bytes[offset + 3]! | (bytes[offset + 4]! << 8) };
}

export type ApduDecodeResult =
  | { ok: true; apdu: Apdu }
  | { ok: false; error: 'truncated' | 'trailing-bytes'; message: string };

/** Decodes exactly one APDU; every byte of `bytes` must belong to it. */
export function decodeApdu(bytes: Uint8Array): ApduDecodeResult {
  const header = readApduHeader(bytes);
  if (header.status === 'incomplete') {
    return { ok: false, error: 'truncated', message: `APDU header needs ${bytes.length < 3 ? 3 : 5} bytes, got ${bytes.length}` };
  }
  const total = header.headerBytes + header.dataBytes;
  if (bytes.length < total) {
    return { ok: false, error: 'truncated', message: `APDU announces ${header.dataBytes} data bytes, ${bytes.length - header.headerBytes} present` };
  }
  if (bytes.length > total) {
    return { ok: false, error: 'trailing-bytes', message: `APDU announces ${header.dataBytes} data bytes, ${bytes.length - header.headerBytes} present` };
  }
  return { ok: true, apdu: { cls: bytes[0]!, ins: bytes[1]!, data: bytes.slice(header.headerBytes, total) } };
}

/**
 * Encodes an APDU, with the extended length when the data does not fit one byte (> 254) or when
 * `extended` is forced. Throws RangeError for data over 65535 bytes or control bytes out of range:
 * those are programming errors, never device input.
 */
export function encodeApdu(apdu: Apdu, extended = false): Uint8Array {
  const n = apdu.data.length;
  if (n > maxApduData) throw new RangeError(`APDU data of ${n} bytes exceeds ${maxApduData}`);
  assertByte(apdu.cls, 'CLASS');
  assertByte(apdu.ins, 'INSTR');
  const long = extended || n > 0xfe;
  const out = new Uint8Array((long ? 5 : 3) + n);
  out[0] = apdu.cls;
  out[1] = apdu.ins;
  if (long) {
    out[2] = 0xff;
    out[3] = n & 0xff;
    out[4] = n >> 8;
    out.set(apdu.data, 5);
  } else {
    out[2] = n;
    out.set(apdu.data, 3);
  }
  return out;
}

export function apdu(cls: number, ins: number, data: ArrayLike<number> = []): Apdu {
  return { cls, ins, data: Uint8Array.from(data) };
}

/** "06 0F" – for logs and error messages. */
export function apduName(a: Pick<Apdu, 'cls' | 'ins'>): string {
  return `${hex2(a.cls)} ${hex2(a.ins)}`;
}

export function isPositiveReply(a: Apdu): boolean {
  // 84 00 is a positive reply too [PA00P016 §5.2.3].
  return (a.cls === 0x80 && a.ins === 0x00) || (a.cls === 0x84 && a.ins === 0x00);
}

export function isNegativeReply(a: Apdu): boolean {
  return a.cls === 0x84 && a.ins !== 0x00;
}

export function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

export function toHex(bytes: ArrayLike<number>, separator = ' '): string {
  return Array.from(bytes, hex2).join(separator);
}

function assertByte(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0 || n > 0xff) throw new RangeError(`${what} must be a byte, got ${n}`);
}
