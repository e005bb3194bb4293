/**
 * The serial transport block [PA00P016 §3]: DLE STX, the APDU with every 10 doubled, DLE ETX,
 * CRC-16/KERMIT low byte first; and the incremental framer that reads it back.
 */
import { decodeApdu, maxApduBytes, readApduHeader } from './apdu.js';
import { ACK, DLE, ETX, type FrameErrorCode, type FrameEvent, type Framer, type FramerOptions, NAK, STX, zvtTimers } from './framing.js';

/**
 * CRC-16/KERMIT: polynomial 0x1021 processed LSB first (0x8408), init 0, no final xor;
 * check("123456789") = 0x2189. The spec text says "CRC-XModem", but every implementation and
 * every real capture uses this variant [zvt-and-nexo.md §1.3].
 */
export function crc16Kermit(bytes: ArrayLike<number>, crc = 0): number {
  for (let i = 0; i < bytes.length; i++) {
    crc ^= bytes[i]!;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  }
  return crc;
}

/** CRC of a serial block: the un-doubled APDU followed by ETX. */
export function blockCrc(apduBytes: ArrayLike<number>): number {
  return crc16Kermit([ETX], crc16Kermit(apduBytes));
}

/**
 * Wraps an encoded APDU in a serial block. The CRC bytes are sent as they are, not doubled: the
 * spec only doubles DLEs "in the APDU", and ecrterm and Wireshark read two raw bytes after
 * DLE ETX. (The framer also accepts a doubled CRC-lo 10, for peers that stuff it.)
 */
export function encodeSerialBlock(apduBytes: Uint8Array): Uint8Array {
  let dles = 0;
  for (const b of apduBytes) if (b === DLE) dles++;
  const out = new Uint8Array(apduBytes.length + dles + 6);
  let i = 0;
  out[i++] = DLE;
  out[i++] = STX;
  for (const b of apduBytes) {
    out[i++] = b;
    if (b === DLE) out[i++] = DLE;
  }
  out[i++] = DLE;
  out[i++] = ETX;
  const crc = blockCrc(apduBytes);
  out[i++] = crc & 0xff;
  out[i++] = crc >>> 8;
  return out;
}

const enum S {
  Hunt,
  HuntDle,
  Block,
  BlockDle,
  Crc1,
  Crc2,
  /** CRC-lo was 10 10 and did not match: maybe the peer doubled it; one more byte decides. */
  Crc3,
}

/** Framer for the serial transport (RS-232, or USB in serial mode). */
export function createSerialFramer(options: FramerOptions = {}): Framer {
  const cap = Math.max(5, options.maxApduBytes ?? maxApduBytes);
  const t1 = options.interByteTimeoutMs ?? zvtTimers.interByteMs;
  let state = S.Hunt;
  let buf = new Uint8Array(Math.min(cap, 256));
  let len = 0;
  let crcLo = 0;
  let crcHi = 0;
  let lastByteAt: number | null = null;
  let discarded = 0;

  const drop = (events: FrameEvent[], code: FrameErrorCode, message: string, extra = 0) => {
    discarded += len + extra + 2; // the DLE STX that opened the block, plus what it held
    len = 0;
    state = S.Hunt;
    events.push({ type: 'error', code, message });
  };

  const append = (b: number, events: FrameEvent[]): void => {
    if (len >= cap) {
      drop(events, 'overflow', `block longer than ${cap} bytes`, 1);
      return;
    }
    if (len === buf.length) {
      const bigger = new Uint8Array(Math.min(cap, buf.length * 2));
      bigger.set(buf);
      buf = bigger;
    }
    buf[len++] = b;
    // A block can never outgrow its own length field; stop swallowing bytes as soon as it does.
    const header = readApduHeader(buf, 0, len);
    if (header.status === 'ok' && len > header.headerBytes + header.dataBytes) {
      drop(events, 'length', `block holds more than the ${header.dataBytes} data bytes its length announces`);
    }
  };

  const finish = (events: FrameEvent[], crcOk: boolean, crcText: string): void => {
    if (!crcOk) {
      drop(events, 'crc', crcText);
      return;
    }
    const bytes = buf.slice(0, len);
    const decoded = decodeApdu(bytes);
    if (!decoded.ok) {
      drop(events, 'length', decoded.message);
      return;
    }
    len = 0;
    state = S.Hunt;
    events.push({ type: 'apdu', apdu: decoded.apdu, bytes });
  };

  const crcMessage = (expected: number, got: number) =>
    `CRC ${hexWord(got)} received, ${hexWord(expected)} computed`;

  const step = (b: number, events: FrameEvent[]): void => {
    switch (state) {
      case S.Hunt:
        if (b === ACK) events.push({ type: 'ack' });
        else if (b === NAK) events.push({ type: 'nak' });
        else if (b === DLE) state = S.HuntDle;
        else discarded++;
        return;
      case S.HuntDle:
        if (b === STX) {
          state = S.Block;
          len = 0;
          return;
        }
        discarded++; // the lone DLE; look at this byte afresh
        state = S.Hunt;
        step(b, events);
        return;
      case S.Block:
        if (b === DLE) state = S.BlockDle;
        else append(b, events);
        return;
      case S.BlockDle:
        if (b === DLE) {
          state = S.Block;
          append(DLE, events);
        } else if (b === ETX) {
          state = S.Crc1;
        } else if (b === STX) {
          // A new block starts inside this one: the sender gave up on it. Resynchronise here.
          drop(events, 'dle', 'DLE STX inside a block');
          state = S.Block;
        } else {
          drop(events, 'dle', `DLE followed by ${hexByte(b)} inside a block`);
          step(b, events); // might be an ACK/NAK or noise
        }
        return;
      case S.Crc1:
        crcLo = b;
        state = S.Crc2;
        return;
      case S.Crc2: {
        crcHi = b;
        const expected = blockCrc(buf.subarray(0, len));
        const got = crcLo | (crcHi << 8);
        if (got === expected) finish(events, true, '');
        else if (crcLo === DLE && crcHi === DLE) state = S.Crc3;
        else finish(events, false, crcMessage(expected, got));
        return;
      }
      case S.Crc3: {
        const expected = blockCrc(buf.subarray(0, len));
        const got = DLE | (b << 8);
        if (got === expected) {
          finish(events, true, '');
        } else {
          finish(events, false, crcMessage(expected, DLE | (DLE << 8)));
          step(b, events);
        }
        return;
      }
    }
  };

  const stale = (now: number) => lastByteAt !== null && now - lastByteAt >= t1;

  const timeOut = (events: FrameEvent[]) => {
    if (state === S.HuntDle) {
      discarded++;
      state = S.Hunt;
    } else if (state !== S.Hunt) {
      drop(events, 'inter-byte-timeout', `block incomplete after a gap of ${t1} ms or more (T1)`);
    }
  };

  return {
    push(chunk, now) {
      const events: FrameEvent[] = [];
      if (stale(now)) timeOut(events);
      for (const b of chunk) step(b, events);
      if (chunk.length > 0) lastByteAt = now;
      return events;
    },
    expire(now) {
      const events: FrameEvent[] = [];
      if (stale(now)) timeOut(events);
      return events;
    },
    get pending() {
      return state !== S.Hunt;
    },
    get buffered() {
      return len;
    },
    get discarded() {
      return discarded;
    },
    reset() {
      state = S.Hunt;
      len = 0;
      lastByteAt = null;
    },
  };
}

function hexByte(b: number): string {
  return b.toString(16).toUpperCase().padStart(2, '0');
}

function hexWord(w: number): string {
  // As on the wire: low byte first.
  return `${hexByte(w & 0xff)} ${hexByte(w >>> 8)}`;
}
