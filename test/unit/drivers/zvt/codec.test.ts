import { describe, expect, it } from 'vitest';
import { decodeApdu, encodeApdu, readApduHeader } from '../../../../drivers/zvt/apdu.js';
import {
  createSerialFramer,
  createTcpFramer,
  crc16Kermit,
  encodeSerialBlock,
  type FrameEvent,
} from '../../../../drivers/zvt/codec.js';
import { apduOf, bytes, hexOf } from './harness.js';

/**
 * Every serial test vector of the protocol notes (§1.13): the APDU, and the full block with
 * CRC-16/KERMIT low byte first. Copied here as literals; tests never read the notes.
 */
const vectors: [id: string, apdu: string, block: string][] = [
  ['V-S1 positive ack', '80 00 00', '10 02 80 00 00 10 03 F5 1F'],
  ['V-S2 repeat status info', '84 9C 00', '10 02 84 9C 00 10 03 C3 41'],
  ['V-S3 unknown command reply', '84 83 00', '10 02 84 83 00 10 03 91 8E'],
  ['V-S4 Status-Enquiry, no service byte', '05 01 03 00 00 00', '10 02 05 01 03 00 00 00 10 03 DF DB'],
  ['V-S5 Status-Enquiry, service byte 06', '05 01 05 00 00 00 03 06', '10 02 05 01 05 00 00 00 03 06 10 03 2B 8A'],
  ['V-S6 Completion: PT ready', '06 0F 01 00', '10 02 06 0F 01 00 10 03 26 E1'],
  ['V-S7 Completion: reconciliation required', '06 0F 01 F0', '10 02 06 0F 01 F0 10 03 2E 9D'],
  ['V-S8 Completion: card inserted', '06 0F 01 DC', '10 02 06 0F 01 DC 10 03 BD 17'],
  [
    'V-S9 Completion with software version (real capture)',
    '06 0F 0B F0 F0 F7 32 2E 31 34 2E 31 35 00',
    '10 02 06 0F 0B F0 F0 F7 32 2E 31 34 2E 31 35 00 10 03 B1 11',
  ],
  ['V-S10 Send Turnover Totals (INSTR 10)', '06 10 03 00 00 00', '10 02 06 10 10 03 00 00 00 10 03 2A 35'],
  ['V-S11 Status info with DLE in data', '04 0F 07 27 6C 29 29 00 10 06', '10 02 04 0F 07 27 6C 29 29 00 10 10 06 10 03 B2 57'],
  ['V-S12 Intermediate status 68, CRC-lo 10', '04 FF 01 68', '10 02 04 FF 01 68 10 03 10 2B'],
  [
    'V-S13 Registration completion',
    '06 0F 0A 19 10 29 52 52 35 35 49 09 78',
    '10 02 06 0F 0A 19 10 10 29 52 52 35 35 49 09 78 10 03 26 92',
  ],
  ['V-S14 Log-Off', '06 02 00', '10 02 06 02 00 10 03 B9 CC'],
  ['V-S15 Abort (ECR)', '06 B0 00', '10 02 06 B0 00 10 03 43 F3'],
  ['V-S16 Abort from PT, rc 6C', '06 1E 01 6C', '10 02 06 1E 01 6C 10 03 C9 F2'],
  ['V-S17 Diagnosis, no TLV', '06 70 00', '10 02 06 70 00 10 03 D9 F9'],
  ['V-S18 Diagnosis, extended', '06 70 05 06 03 1B 01 02', '10 02 06 70 05 06 03 1B 01 02 10 03 B0 81'],
  ['V-S19 End-of-Day', '06 50 03 00 00 00', '10 02 06 50 03 00 00 00 10 03 FB 37'],
  [
    'V-S20 End-of-Day with 1F26',
    '06 50 09 00 00 00 06 04 1F 26 01 00',
    '10 02 06 50 09 00 00 00 06 04 1F 26 01 00 10 03 3E 8C',
  ],
  ['V-S21 Intermediate status 0E', '04 FF 01 0E', '10 02 04 FF 01 0E 10 03 95 1A'],
  ['V-S22 Registration pw 987654 cfg 41', '06 00 04 98 76 54 41', '10 02 06 00 04 98 76 54 41 10 03 50 F5'],
  ['V-S23 Empty completion', '06 0F 00', '10 02 06 0F 00 10 03 C6 33'],
  ['V-S24 Selftest', '06 79 00', '10 02 06 79 00 10 03 C7 65'],
];

const apdusOf = (events: FrameEvent[]) => events.filter((e) => e.type === 'apdu').map((e) => hexOf(e.bytes));
const errorsOf = (events: FrameEvent[]) => events.filter((e) => e.type === 'error').map((e) => e.code);

describe('CRC-16/KERMIT', () => {
  it('has the catalogue check value 0x2189 for "123456789"', () => {
    expect(crc16Kermit(Buffer.from('123456789', 'ascii'))).toBe(0x2189);
  });
});

describe.each(vectors)('%s', (_id, apduHex, blockHex) => {
  it('decodes and re-encodes the APDU', () => {
    const decoded = decodeApdu(bytes(apduHex));
    expect(decoded.ok).toBe(true);
    if (decoded.ok) expect(hexOf(encodeApdu(decoded.apdu))).toBe(hexOf(bytes(apduHex)));
  });

  it('encodes to the serial block byte for byte', () => {
    expect(hexOf(encodeSerialBlock(bytes(apduHex)))).toBe(hexOf(bytes(blockHex)));
  });

  it('is recovered from the serial block, whole and one byte at a time', () => {
    expect(apdusOf(createSerialFramer().push(bytes(blockHex), 0))).toEqual([hexOf(bytes(apduHex))]);
    const framer = createSerialFramer();
    const events = [...bytes(blockHex)].flatMap((b) => framer.push(Uint8Array.of(b), 0));
    expect(apdusOf(events)).toEqual([hexOf(bytes(apduHex))]);
    expect(framer.buffered).toBe(0);
    expect(framer.discarded).toBe(0);
  });

  it('is recovered from a TCP stream', () => {
    expect(apdusOf(createTcpFramer().push(bytes(apduHex), 0))).toEqual([hexOf(bytes(apduHex))]);
  });
});

describe('serial framing details', () => {
  it('reads V-S12 whether or not the peer doubled its CRC-lo 10', () => {
    const raw = createSerialFramer().push(bytes('10 02 04 FF 01 68 10 03 10 2B'), 0);
    expect(apdusOf(raw)).toEqual(['04 FF 01 68']);
    const stuffed = createSerialFramer().push(bytes('10 02 04 FF 01 68 10 03 10 10 2B'), 0);
    expect(apdusOf(stuffed)).toEqual(['04 FF 01 68']);
    expect(errorsOf(stuffed)).toEqual([]);
  });

  it('does not send the CRC-lo 10 of V-S12 doubled', () => {
    const block = encodeSerialBlock(bytes('04 FF 01 68'));
    expect(hexOf(block.subarray(-2))).toBe('10 2B');
    expect(block.length).toBe(10);
  });

  it('does not mistake 10 10 03 inside the data of V-S10 for the end of the block', () => {
    const events = createSerialFramer().push(bytes('10 02 06 10 10 03 00 00 00 10 03 2A 35'), 0);
    expect(apdusOf(events)).toEqual(['06 10 03 00 00 00']);
    expect(errorsOf(events)).toEqual([]);
  });

  it('keeps a 10 03 in the data (doubled on the wire) as data', () => {
    const apdu = bytes('04 0F 04 10 03 10 03');
    const block = encodeSerialBlock(apdu);
    expect(hexOf(block)).toMatch(/^10 02 04 0F 04 10 10 03 10 10 03 10 03 /);
    expect(apdusOf(createSerialFramer().push(block, 0))).toEqual([hexOf(apdu)]);
  });

  it('reports ACK and NAK bytes between blocks', () => {
    const events = createSerialFramer().push(bytes('06 10 02 80 00 00 10 03 F5 1F 15'), 0);
    expect(events.map((e) => e.type)).toEqual(['ack', 'apdu', 'nak']);
  });

  it('takes two blocks from one chunk and one block from many chunks', () => {
    const two = bytes('10 02 80 00 00 10 03 F5 1F 10 02 06 0F 01 00 10 03 26 E1');
    expect(apdusOf(createSerialFramer().push(two, 0))).toEqual(['80 00 00', '06 0F 01 00']);
    const framer = createSerialFramer();
    const block = bytes('10 02 06 0F 0B F0 F0 F7 32 2E 31 34 2E 31 35 00 10 03 B1 11');
    const first = framer.push(block.subarray(0, 7), 0);
    expect(first).toEqual([]);
    expect(framer.pending).toBe(true);
    expect(apdusOf(framer.push(block.subarray(7), 50))).toEqual(['06 0F 0B F0 F0 F7 32 2E 31 34 2E 31 35 00']);
  });

  it('skips garbage before a block and counts it', () => {
    const framer = createSerialFramer();
    const events = framer.push(bytes('41 42 FF 00 10 44 10 02 80 00 00 10 03 F5 1F'), 0);
    expect(apdusOf(events)).toEqual(['80 00 00']);
    expect(framer.discarded).toBe(6);
  });

  it('drops a block with a bad CRC and decodes the next one', () => {
    const events = createSerialFramer().push(bytes('10 02 80 00 00 10 03 F5 1E 10 02 80 00 00 10 03 F5 1F'), 0);
    expect(errorsOf(events)).toEqual(['crc']);
    expect(apdusOf(events)).toEqual(['80 00 00']);
  });

  it('treats DLE + other byte inside a block as a framing error, and DLE STX as a new block', () => {
    expect(errorsOf(createSerialFramer().push(bytes('10 02 80 00 10 41'), 0))).toEqual(['dle']);
    const restart = createSerialFramer().push(bytes('10 02 80 10 02 80 00 00 10 03 F5 1F'), 0);
    expect(errorsOf(restart)).toEqual(['dle']);
    expect(apdusOf(restart)).toEqual(['80 00 00']);
  });

  it('rejects a block whose length field disagrees with its data', () => {
    // 80 00 01 announces one data byte but the block ends without it (valid CRC for what is there).
    const short = encodeSerialBlock(bytes('80 00 01'));
    expect(errorsOf(createSerialFramer().push(short, 0))).toEqual(['length']);
    // 80 00 00 followed by a stray data byte: stopped as soon as the block outgrows its length.
    expect(errorsOf(createSerialFramer().push(bytes('10 02 80 00 00 41'), 0))).toEqual(['length']);
  });

  it('drops a block that stalls longer than T1, on the next byte or on expire()', () => {
    const framer = createSerialFramer();
    framer.push(bytes('10 02 80 00'), 1000);
    expect(framer.expire(1199)).toEqual([]);
    expect(errorsOf(framer.expire(1200))).toEqual(['inter-byte-timeout']);
    expect(framer.pending).toBe(false);

    const late = createSerialFramer();
    late.push(bytes('10 02 80 00'), 0);
    const events = late.push(bytes('00 10 03 F5 1F 10 02 80 00 00 10 03 F5 1F'), 500);
    expect(errorsOf(events)).toEqual(['inter-byte-timeout']);
    expect(apdusOf(events)).toEqual(['80 00 00']);
  });

  it('caps a block at maxApduBytes', () => {
    const framer = createSerialFramer({ maxApduBytes: 8 });
    const events = framer.push(bytes('10 02 06 D3 FF 20 00 01 02 03 04 05 06 07'), 0);
    expect(errorsOf(events)).toEqual(['overflow']);
    expect(framer.buffered).toBeLessThanOrEqual(8);
  });
});

describe('extended length (FF lo hi, little-endian)', () => {
  it('reads 04 0F FF 01 00 6C as one data byte', () => {
    const d = decodeApdu(bytes('04 0F FF 01 00 6C'));
    expect(d.ok && hexOf(d.apdu.data)).toBe('6C');
  });

  it('reads 04 0F FF 00 01 … as 256 data bytes', () => {
    const data = Uint8Array.from({ length: 256 }, (_, i) => i);
    const wire = Uint8Array.from([0x04, 0x0f, 0xff, 0x00, 0x01, ...data]);
    const d = decodeApdu(wire);
    expect(d.ok && d.apdu.data.length).toBe(256);
    expect(hexOf(encodeApdu({ cls: 0x04, ins: 0x0f, data }))).toBe(hexOf(wire));
  });

  it('uses the one-byte length up to 254 and the extended one from 255', () => {
    expect(encodeApdu({ cls: 0x06, ins: 0xd3, data: new Uint8Array(254) }).subarray(0, 3)).toEqual(bytes('06 D3 FE'));
    expect(encodeApdu({ cls: 0x06, ins: 0xd3, data: new Uint8Array(255) }).subarray(0, 5)).toEqual(bytes('06 D3 FF FF 00'));
  });

  it('reads the 4088-byte print text block header 06 D3 FF F8 0F as 0x0FF8', () => {
    expect(readApduHeader(bytes('06 D3 FF F8 0F'))).toEqual({ status: 'ok', headerBytes: 5, dataBytes: 4088 });
    const data = Uint8Array.from({ length: 4088 }, (_, i) => (i * 7) & 0xff); // contains many 10s
    const apdu = encodeApdu({ cls: 0x06, ins: 0xd3, data });
    const framer = createSerialFramer();
    const events = framer.push(encodeSerialBlock(apdu), 0);
    expect(events).toHaveLength(1);
    expect(events[0]!.type === 'apdu' && events[0]!.apdu.data).toEqual(data);
    expect(createTcpFramer().push(apdu, 0).length).toBe(1);
  });

  it('refuses data over 65535 bytes', () => {
    expect(() => encodeApdu({ cls: 0x06, ins: 0xd3, data: new Uint8Array(65536) })).toThrow(RangeError);
  });

  it('reports truncation and trailing bytes instead of throwing', () => {
    expect(decodeApdu(bytes('04 0F FF 02 00 6C'))).toMatchObject({ ok: false, error: 'truncated' });
    expect(decodeApdu(bytes('80 00 00 00'))).toMatchObject({ ok: false, error: 'trailing-bytes' });
    expect(decodeApdu(bytes('80'))).toMatchObject({ ok: false, error: 'truncated' });
  });
});

describe('TCP framing', () => {
  it('splits a stream of bare APDUs, including one cut across chunks', () => {
    const framer = createTcpFramer();
    const a = framer.push(bytes('80 00 00 04 FF 01'), 0);
    expect(apdusOf(a)).toEqual(['80 00 00']);
    expect(framer.pending).toBe(true);
    expect(apdusOf(framer.push(bytes('0E 06 0F 01 00'), 10))).toEqual(['04 FF 01 0E', '06 0F 01 00']);
  });

  it('skips bytes that cannot start an APDU', () => {
    const framer = createTcpFramer();
    expect(apdusOf(framer.push(bytes('41 42 43 06 0F 01 F0'), 0))).toEqual(['06 0F 01 F0']);
    expect(framer.discarded).toBe(3);
  });

  it('drops a partial APDU after the gap and decodes what follows', () => {
    const framer = createTcpFramer({ interByteTimeoutMs: 5000 });
    framer.push(bytes('06 0F 05 00'), 0);
    const events = framer.push(bytes('06 0F 01 00'), 5000);
    expect(errorsOf(events)).toEqual(['inter-byte-timeout']);
    expect(apdusOf(events)).toEqual(['06 0F 01 00']);
  });

  it('resynchronises past an announced length over its cap', () => {
    const framer = createTcpFramer({ maxApduBytes: 16 });
    const events = framer.push(bytes('06 D3 FF 00 10 80 00 00'), 0);
    expect(errorsOf(events)).toEqual(['overflow']);
    expect(apdusOf(events)).toEqual(['80 00 00']);
  });

  it('reads an extended-length APDU holding a TLV container with an 82 (big-endian) length, shaped like a real capture', () => {
    const tlvBody = Uint8Array.from({ length: 0x043d }, () => 0x00);
    const data = Uint8Array.from([0x06, 0x82, 0x04, 0x3d, ...tlvBody]);
    const wire = Uint8Array.from([0x80, 0x00, 0xff, data.length & 0xff, data.length >> 8, ...data]);
    expect(data.length).toBe(1089);
    expect(hexOf(wire.subarray(0, 8))).toBe('80 00 FF 41 04 06 82 04');
    expect(apdusOf(createTcpFramer().push(wire, 0))).toHaveLength(1);
  });
});

describe('apduOf helper', () => {
  it('throws on a bad APDU so tests fail loudly', () => {
    expect(() => apduOf('80 00 01')).toThrow();
  });
});
