import { describe, expect, it } from 'vitest';
import {
  decodeAsb,
  decodeEot1,
  decodeEot2,
  decodeEot3,
  decodeEot4,
  decodeInfoBlock,
  decodeOneByteReply,
  dleEot,
  encodeAsb,
  encodeEot1,
  encodeEot2,
  encodeEot3,
  encodeEot4,
  encodeInfoText,
  gsAsb,
  gsInfo,
  gsStatus,
  MAX_BLOCK_BYTES,
} from '../../../../drivers/escpos/codec.js';
import { ascii } from './helpers.js';

// Vectors from the protocol notes §6 (python-escpos tests, Epson captures, ReceiptPrinterStatus),
// copied here as literals.

const value = <T>(d: { ok: true; value: T } | { ok: false }): T => {
  if (!d.ok) throw new Error('expected a valid decode');
  return d.value;
};

describe('request encoders', () => {
  it('encodes DLE EOT, GS I, GS a and GS r', () => {
    expect([...dleEot(1)]).toEqual([0x10, 0x04, 0x01]);
    expect([...dleEot(4)]).toEqual([0x10, 0x04, 0x04]);
    expect([...gsInfo(66)]).toEqual([0x1d, 0x49, 0x42]);
    expect([...gsInfo(1)]).toEqual([0x1d, 0x49, 0x01]);
    expect([...gsAsb(0x0f)]).toEqual([0x1d, 0x61, 0x0f]);
    expect([...gsStatus(1)]).toEqual([0x1d, 0x72, 0x01]);
  });
});

describe('DLE EOT replies', () => {
  it('decodes DLE EOT 1: all OK 0x12, idle Epson 0x16, offline 0x1A, waiting for recovery 0x3A', () => {
    expect(value(decodeEot1(0x12))).toEqual({ drawerPin3High: false, offline: false, waitingForOnlineRecovery: false, feedButtonPressed: false });
    expect(value(decodeEot1(0x16))).toMatchObject({ drawerPin3High: true, offline: false });
    expect(value(decodeEot1(0x1a))).toMatchObject({ drawerPin3High: false, offline: true, waitingForOnlineRecovery: false });
    expect(value(decodeEot1(0x3a))).toMatchObject({ offline: true, waitingForOnlineRecovery: true });
    expect(value(decodeEot1(0x52))).toMatchObject({ feedButtonPressed: true });
  });

  it('decodes DLE EOT 2: paper-end stop 0x32, cover open 0x16, cover open + error 0x56', () => {
    expect(value(decodeEot2(0x12))).toEqual({ coverOpen: false, feedingByButton: false, stoppedByPaperEnd: false, errorOccurred: false });
    expect(value(decodeEot2(0x32))).toEqual({ coverOpen: false, feedingByButton: false, stoppedByPaperEnd: true, errorOccurred: false });
    expect(value(decodeEot2(0x16))).toMatchObject({ coverOpen: true, errorOccurred: false });
    expect(value(decodeEot2(0x56))).toMatchObject({ coverOpen: true, errorOccurred: true });
    expect(value(decodeEot2(0x1a))).toMatchObject({ feedingByButton: true });
  });

  it('decodes DLE EOT 3: cutter 0x1A, unrecoverable 0x32, auto-recoverable 0x52', () => {
    const none = { recoverableError: false, autocutterError: false, unrecoverableError: false, autoRecoverableError: false };
    expect(value(decodeEot3(0x12))).toEqual(none);
    expect(value(decodeEot3(0x1a))).toEqual({ ...none, autocutterError: true });
    expect(value(decodeEot3(0x32))).toEqual({ ...none, unrecoverableError: true });
    expect(value(decodeEot3(0x52))).toEqual({ ...none, autoRecoverableError: true });
    expect(value(decodeEot3(0x16))).toEqual({ ...none, recoverableError: true });
  });

  it('decodes DLE EOT 4: OK 0x12, near end 0x1E, end 0x72, both 0x7E', () => {
    expect(value(decodeEot4(0x12))).toEqual({ nearEnd: false, paperEnd: false });
    expect(value(decodeEot4(0x1e))).toEqual({ nearEnd: true, paperEnd: false });
    expect(value(decodeEot4(0x72))).toEqual({ nearEnd: false, paperEnd: true });
    expect(value(decodeEot4(0x7e))).toEqual({ nearEnd: true, paperEnd: true });
  });

  it('reads each DLE EOT 4 sensor pair as "either bit set" (Citizen two-sensor variants)', () => {
    expect(value(decodeEot4(0x16))).toEqual({ nearEnd: true, paperEnd: false }); // bit 2 only
    expect(value(decodeEot4(0x1a))).toEqual({ nearEnd: true, paperEnd: false }); // bit 3 only
    expect(value(decodeEot4(0x32))).toEqual({ nearEnd: false, paperEnd: true }); // bit 5 only
    expect(value(decodeEot4(0x52))).toEqual({ nearEnd: false, paperEnd: true }); // bit 6 only
  });

  it.each([0x81, 0x01, 0x80, 0x02, 0x10, 0x00, 0xff, 0x13])('rejects byte %i: fixed bits wrong', (b) => {
    for (const decode of [decodeEot1, decodeEot2, decodeEot3, decodeEot4]) {
      const result = decode(b);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('fixed-bits');
    }
  });

  it('rejects values that are not a byte without throwing', () => {
    for (const b of [-1, 256, 0.5, Number.NaN]) {
      const result = decodeEot1(b);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('length');
    }
  });

  it('encodes what it decodes, for every combination of the variable bits', () => {
    for (let b = 0; b < 256; b++) {
      if ((b & 0x93) !== 0x12) continue;
      expect(encodeEot1(value(decodeEot1(b)))).toBe(b);
      expect(encodeEot2(value(decodeEot2(b)))).toBe(b);
      expect(encodeEot3(value(decodeEot3(b)))).toBe(b);
    }
    expect(encodeEot4({ nearEnd: true, paperEnd: true })).toBe(0x7e);
    expect(encodeEot4({ nearEnd: false, paperEnd: false })).toBe(0x12);
  });
});

describe('Automatic Status Back', () => {
  it('decodes 14 00 00 00: online, pin 3 high', () => {
    const asb = value(decodeAsb(Uint8Array.of(0x14, 0x00, 0x00, 0x00)));
    expect(asb).toMatchObject({ drawerPin3High: true, offline: false, coverOpen: false, paperNearEnd: false, paperEnd: false });
  });

  it('decodes 38 00 0F 00: offline, cover open, near end and end', () => {
    const asb = value(decodeAsb(Uint8Array.of(0x38, 0x00, 0x0f, 0x00)));
    expect(asb).toMatchObject({ drawerPin3High: false, offline: true, coverOpen: true, paperNearEnd: true, paperEnd: true });
  });

  it('decodes 18 01 0C 00: offline, waiting for online recovery, paper end', () => {
    const asb = value(decodeAsb(Uint8Array.of(0x18, 0x01, 0x0c, 0x00)));
    expect(asb).toMatchObject({ offline: true, waitingForOnlineRecovery: true, paperEnd: true, paperNearEnd: false, coverOpen: false });
  });

  it('decodes the error byte', () => {
    const asb = value(decodeAsb(Uint8Array.of(0x10, 0x6c, 0x00, 0x00)));
    expect(asb).toMatchObject({ recoverableError: true, autocutterError: true, unrecoverableError: true, autoRecoverableError: true, feedButtonPressed: false });
  });

  it.each([
    ['00 00 00 00 (bit 4 of byte 1 missing, an emulator bug)', [0x00, 0x00, 0x00, 0x00], 'fixed-bits'],
    ['12 00 00 00 (a DLE EOT reply)', [0x12, 0x00, 0x00, 0x00], 'fixed-bits'],
    ['10 80 00 00', [0x10, 0x80, 0x00, 0x00], 'fixed-bits'],
    ['10 00 10 00', [0x10, 0x00, 0x10, 0x00], 'fixed-bits'],
    ['10 00 00', [0x10, 0x00, 0x00], 'length'],
  ])('rejects %s', (_name, bytes, code) => {
    const result = decodeAsb(Uint8Array.from(bytes));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe(code);
  });

  it('encodes what it decodes', () => {
    for (const bytes of [[0x14, 0, 0, 0], [0x38, 0x00, 0x0f, 0x00], [0x18, 0x01, 0x0c, 0x00], [0x7c, 0x6f, 0x0f, 0x00]]) {
      expect([...encodeAsb(value(decodeAsb(Uint8Array.from(bytes))))]).toEqual(bytes);
    }
  });
});

describe('GS I information', () => {
  it('decodes info B 5F 45 50 53 4F 4E 00 as "EPSON"', () => {
    expect(value(decodeInfoBlock(Uint8Array.of(0x5f, 0x45, 0x50, 0x53, 0x4f, 0x4e, 0x00)))).toEqual({ kind: 'text', text: 'EPSON' });
    expect(value(decodeInfoBlock(Uint8Array.of(0x5f, 0x00)))).toEqual({ kind: 'text', text: '' });
  });

  it('decodes 3D id 00 as unavailable info A, and 3D id data 00 as data', () => {
    expect(value(decodeInfoBlock(Uint8Array.of(0x3d, 0x21, 0x00)))).toEqual({ kind: 'unavailable', id: 0x21 });
    const data = value(decodeInfoBlock(Uint8Array.of(0x3d, 0x21, 0x42, 0x00)));
    expect(data).toMatchObject({ kind: 'data', id: 0x21 });
    if (data.kind === 'data') expect([...data.bytes]).toEqual([0x42]);
  });

  it.each([
    ['no NUL', [0x5f, 0x41, 0x42], 'block-terminator'],
    ['a NUL inside', [0x5f, 0x41, 0x00, 0x42, 0x00], 'block-terminator'],
    ['control characters', [0x5f, 0x41, 0x13, 0x00], 'block-text'],
    ['bytes above 0x7E', [0x5f, 0xc3, 0xa9, 0x00], 'block-text'],
    ['another header', [0x12, 0x41, 0x00], 'block-header'],
    ['no identifier', [0x3d, 0x00], 'length'],
    ['81 text bytes', [0x5f, ...new Array<number>(81).fill(0x41), 0x00], 'length'],
  ])('rejects a block with %s', (_name, bytes, code) => {
    const result = decodeInfoBlock(Uint8Array.from(bytes));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe(code);
  });

  it('accepts 80 text bytes, the Epson maximum', () => {
    const bytes = Uint8Array.of(0x5f, ...new Array<number>(80).fill(0x41), 0x00);
    expect(bytes.length).toBe(MAX_BLOCK_BYTES - 1);
    expect(value(decodeInfoBlock(bytes))).toEqual({ kind: 'text', text: 'A'.repeat(80) });
  });

  it('encodes info B text, replacing non-ASCII and cutting at 80 bytes', () => {
    expect([...encodeInfoText('EPSON')]).toEqual([0x5f, ...ascii('EPSON'), 0x00]);
    expect([...encodeInfoText('Café')]).toEqual([0x5f, ...ascii('Caf?'), 0x00]);
    expect(encodeInfoText('x'.repeat(100)).length).toBe(82);
  });

  it('checks 1-byte IDs and GS r replies against 0xx0xxxx', () => {
    expect(decodeOneByteReply(0x20)).toEqual({ ok: true, value: 0x20 });
    expect(decodeOneByteReply(0x0f)).toEqual({ ok: true, value: 0x0f });
    expect(decodeOneByteReply(0x10).ok).toBe(false);
    expect(decodeOneByteReply(0x80).ok).toBe(false);
  });
});
