import { describe, expect, it } from 'vitest';
import { decodeApdu } from '../../../../drivers/zvt/apdu.js';
import {
  bmpDateTime,
  decodeBcd,
  decodeBmps,
  encodeBcd,
  encodeBmps,
  findBmp,
  parseAbort,
  parseIntermediateStatus,
  parseStatusEnquiryCompletion,
  parseStatusInformation,
} from '../../../../drivers/zvt/bmp.js';
import {
  authorisation,
  diagnosis,
  endOfDay,
  logOff,
  registration,
  selftest,
  statusEnquiry,
  statusEnquiryCompletion,
} from '../../../../drivers/zvt/commands.js';
import { createTcpFramer } from '../../../../drivers/zvt/codec.js';
import { decodeTlv, encodeTlv, findTlv, readBerLength } from '../../../../drivers/zvt/tlv.js';
import { encodeApdu } from '../../../../drivers/zvt/apdu.js';
import { bytes, hexOf } from './harness.js';

/** Feig cVEND plug: Status-Enquiry completion with SW version and TLV (real TCP capture, hex). */
const feigCompletion =
  '060f89f0f4f04745522d4150502d76322e302e393b635330322e30312e30312d31302e31302d322d323b4343323600065b1f440452523535e4431f400a6356454e4420706c75671f41284745522d4150502d76322e302e393b635330322e30312e30312d31302e31302d322d323b434332361f420417fd1e3c1f430100340d1f0e04202304051f0f03225655';
/** End-of-Day Status-Information (real capture). */
const endOfDayInfo =
  '040f4d2700040000000009580b0009820d04060c08170660f0f5f3023302340000000000000000000000000000020000000009580000000000000000000000000000000000000000000000000000000000';
/** Abort from the PT with TLV 1F16/1F17 (ecrterm test). */
const abortWithText =
  '061e2e6c062b1f1605ff000014411f1720416262727563682064757263682065787465726e6573204b6f6d6d616e646f21';

const body = (hex: string) => {
  const d = decodeApdu(bytes(hex));
  if (!d.ok) throw new Error(d.message);
  return d.apdu;
};

describe('Status-Enquiry completion', () => {
  it('parses the Feig capture: version, status 00, TID, device info E4, date-time 34', () => {
    const apdu = body(feigCompletion);
    expect([apdu.cls, apdu.ins, apdu.data.length]).toEqual([0x06, 0x0f, 0x89]);
    const c = parseStatusEnquiryCompletion(apdu.data);
    expect(c.problem).toBeNull();
    expect(c.softwareVersion).toBe('GER-APP-v2.0.9;cS02.01.01-10.10-2-2;CC26');
    expect(c.terminalStatus).toBe(0x00);
    expect(hexOf(findTlv(c.tlv, 0x1f44)!.value)).toBe('52 52 35 35');
    const e4 = findTlv(c.tlv, 0xe4)!;
    expect(e4.children?.map((o) => o.tag)).toEqual([0x1f40, 0x1f41, 0x1f42, 0x1f43]);
    expect(Buffer.from(findTlv(c.tlv, 0x1f40)!.value).toString('latin1')).toBe('cVEND plug');
    expect(hexOf(findTlv(c.tlv, 0x1f42)!.value)).toBe('17 FD 1E 3C');
    expect(hexOf(findTlv(c.tlv, 0x1f43)!.value)).toBe('00');
    expect(hexOf(findTlv(c.tlv, 0x1f0e)!.value)).toBe('20 23 04 05');
    expect(hexOf(findTlv(c.tlv, 0x1f0f)!.value)).toBe('22 56 55');
  });

  it.each([
    ['06 0F 01 00 (V-S6)', '00', 0x00],
    ['06 0F 01 F0 (V-S7): a bare F0 is a status, not a length', 'F0', 0xf0],
    ['06 0F 01 F6: likewise', 'F6', 0xf6],
    ['06 0F 01 DC (V-S8)', 'DC', 0xdc],
  ])('reads %s', (_name, data, status) => {
    const c = parseStatusEnquiryCompletion(bytes(data));
    expect(c).toEqual({ softwareVersion: null, terminalStatus: status, tlv: null, problem: null });
  });

  it('reads V-S9: software version "2.14.15" then status 00', () => {
    const c = parseStatusEnquiryCompletion(bytes('F0 F0 F7 32 2E 31 34 2E 31 35 00'));
    expect(c.softwareVersion).toBe('2.14.15');
    expect(c.terminalStatus).toBe(0);
  });

  it('reads status F0 followed by a TLV container', () => {
    const c = parseStatusEnquiryCompletion(bytes('F0 06 04 1F 55 01 80'));
    expect(c.terminalStatus).toBe(0xf0);
    expect(hexOf(findTlv(c.tlv, 0x1f55)!.value)).toBe('80');
  });

  it('round-trips what the simulator builds', () => {
    const apdu = statusEnquiryCompletion(0xc2, 'X-1', [{ tag: 0x1f55, value: [0x20, 0x00] }]);
    const c = parseStatusEnquiryCompletion(apdu.data);
    expect([c.softwareVersion, c.terminalStatus, hexOf(findTlv(c.tlv, 0x1f55)!.value)]).toEqual(['X-1', 0xc2, '20 00']);
  });

  it('reports what it cannot parse without throwing', () => {
    expect(parseStatusEnquiryCompletion(new Uint8Array()).problem).toMatch(/empty/);
    expect(parseStatusEnquiryCompletion(bytes('00 41')).problem).toMatch(/unexpected 41/);
    expect(parseStatusEnquiryCompletion(bytes('00 06 05 1F 55')).problem).toMatch(/TLV container/);
  });
});

describe('BMP messages', () => {
  it('parses the End-of-Day status information: rc 00, total 9.58, trace 982, date, time, totals', () => {
    // The capture as transcribed in the notes holds one byte more than its length (4D = 77)
    // announces: LLLVAR 053 of BMP 60 ends one byte before the string does. The framer takes the
    // announced APDU and leaves the extra 00 as noise.
    const wire = bytes(endOfDayInfo);
    expect(decodeApdu(wire)).toMatchObject({ ok: false, error: 'trailing-bytes' });
    const framer = createTcpFramer();
    const events = framer.push(wire, 0);
    expect(events).toHaveLength(1);
    expect(framer.discarded).toBe(1);
    const first = events[0]!;
    if (first.type !== 'apdu') throw new Error('no APDU');
    expect(first.bytes.length).toBe(3 + 0x4d);
    const info = parseStatusInformation(first.apdu.data);
    expect(info.error).toBeNull();
    expect(info.resultCode).toBe(0);
    expect(decodeBcd(findBmp(info.fields, 0x04)!.value)).toBe('000000000958');
    expect(decodeBcd(findBmp(info.fields, 0x0b)!.value)).toBe('000982');
    expect(decodeBcd(findBmp(info.fields, 0x0d)!.value)).toBe('0406');
    expect(decodeBcd(findBmp(info.fields, 0x0c)!.value)).toBe('081706');
    const totals = findBmp(info.fields, 0x60)!.value;
    expect(totals.length).toBe(53);
    expect(decodeBcd(totals.subarray(0, 4))).toBe('02330234'); // receipts 233–234
    // Eurocard is the third of 7 × (count, 6-byte total)
    expect(totals[4 + 2 * 7]).toBe(2);
    expect(decodeBcd(totals.subarray(4 + 2 * 7 + 1, 4 + 3 * 7))).toBe('000000000958');
    const at = bmpDateTime(info.fields, new Date(2023, 5, 1));
    expect(at).toBe(new Date(2023, 3, 6, 8, 17, 6).getTime());
  });

  it('puts a 0D date that would lie in the future into the previous year', () => {
    const fields = decodeBmps(bytes('0D 12 31 0C 23 59 00')).fields;
    expect(bmpDateTime(fields, new Date(2025, 0, 2))).toBe(new Date(2024, 11, 31, 23, 59, 0).getTime());
  });

  it('parses an abort with vendor error TLV 1F16 / text 1F17', () => {
    const apdu = body(abortWithText);
    const abort = parseAbort(apdu.data);
    expect(abort.resultCode).toBe(0x6c);
    const tlv = findBmp(abort.fields, 0x06)!.tlv!;
    expect(hexOf(findTlv(tlv, 0x1f16)!.value)).toBe('FF 00 00 14 41');
    expect(Buffer.from(findTlv(tlv, 0x1f17)!.value).toString('latin1')).toBe('Abbruch durch externes Kommando!');
  });

  it('parses the registration completions of V-S13 and a real one with a DLE in the TID', () => {
    const a = parseStatusInformation(bytes('19 10 29 52 52 35 35 49 09 78'));
    expect(a.fields.map((f) => [f.bmp, hexOf(f.value)])).toEqual([
      [0x19, '10'],
      [0x29, '52 52 35 35'],
      [0x49, '09 78'],
    ]);
    const b = parseStatusInformation(bytes('19 00 29 29 00 10 06 49 09 78'));
    expect(decodeBcd(findBmp(b.fields, 0x29)!.value)).toBe('29001006');
  });

  it('parses the status information of V-S11: rc 6C, TID 29001006', () => {
    const info = parseStatusInformation(bytes('27 6C 29 29 00 10 06'));
    expect(info.resultCode).toBe(0x6c);
    expect(decodeBcd(findBmp(info.fields, 0x29)!.value)).toBe('29001006');
  });

  it('stops at an unknown BMP or a truncated value and says where', () => {
    expect(decodeBmps(bytes('27 00 77 01'))).toMatchObject({ error: 'unknown BMP 77 at offset 2' });
    expect(decodeBmps(bytes('27 00 29 12'))).toMatchObject({ error: 'BMP 29 at offset 2 truncated' });
    expect(decodeBmps(bytes('3C F0 F1')).error).toMatch(/lllvar/);
  });

  it('encodes LLVAR and LLLVAR lengths as Fx Fy (Fz)', () => {
    expect(hexOf(encodeBmps([{ bmp: 0x3c, value: bytes('41 42') }]))).toBe('3C F0 F0 F2 41 42');
    expect(hexOf(encodeBmps([{ bmp: 0x8b, value: bytes('41') }]))).toBe('8B F0 F1 41');
    expect(() => encodeBmps([{ bmp: 0x27, value: [] }])).toThrow(RangeError);
  });

  it('reads intermediate status with a T4 in BCD minutes', () => {
    expect(parseIntermediateStatus(bytes('0F 15'))).toEqual({ code: 0x0f, timeoutMinutes: 15, tlv: null });
    expect(parseIntermediateStatus(bytes('68'))).toEqual({ code: 0x68, timeoutMinutes: null, tlv: null });
  });

  it('packs BCD', () => {
    expect(hexOf(encodeBcd('123456'))).toBe('12 34 56');
    expect(hexOf(encodeBcd('978', 2))).toBe('09 78');
    expect(() => encodeBcd('12a')).toThrow(RangeError);
  });
});

describe('TLV', () => {
  it('reads 81 and 82 lengths (82 big-endian) and rejects 80 and 83', () => {
    expect(readBerLength(bytes('81 80'), 0)).toEqual({ ok: true, length: 0x80, bytes: 2 });
    expect(readBerLength(bytes('82 04 3D'), 0)).toEqual({ ok: true, length: 0x043d, bytes: 3 });
    expect(readBerLength(bytes('80'), 0).ok).toBe(false);
    expect(readBerLength(bytes('83 00 00 01'), 0).ok).toBe(false);
  });

  it('reads multi-byte tags and nested constructed objects', () => {
    const r = decodeTlv(bytes('E4 08 1F 40 01 41 1F 81 02 00'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.objects[0]!.tag).toBe(0xe4);
    expect(r.objects[0]!.children?.map((c) => c.tag)).toEqual([0x1f40, 0x1f8102]);
  });

  it('encodes minimal lengths', () => {
    expect(hexOf(encodeTlv([{ tag: 0x1f55, value: new Uint8Array(0x80) }]).subarray(0, 4))).toBe('1F 55 81 80');
    expect(hexOf(encodeTlv([{ tag: 0x07, value: new Uint8Array(0x100) }]).subarray(0, 4))).toBe('07 82 01 00');
  });

  it('reports errors instead of throwing', () => {
    expect(decodeTlv(bytes('1F'))).toMatchObject({ ok: false, error: 'tag truncated' });
    expect(decodeTlv(bytes('1F 55 05 00'))).toMatchObject({ ok: false });
  });
});

describe('command builders match the vectors', () => {
  it.each([
    ['Status-Enquiry pw 000000', () => statusEnquiry('000000', null), '05 01 03 00 00 00'],
    ['Status-Enquiry svc 06', () => statusEnquiry('000000', 0x06), '05 01 05 00 00 00 03 06'],
    ['Registration 987654 cfg 41', () => registration('987654', 0x41), '06 00 04 98 76 54 41'],
    ['Log-Off', () => logOff(), '06 02 00'],
    ['Diagnosis', () => diagnosis(), '06 70 00'],
    ['Diagnosis extended', () => diagnosis(2), '06 70 05 06 03 1B 01 02'],
    ['End-of-Day', () => endOfDay('000000'), '06 50 03 00 00 00'],
    ['Selftest', () => selftest(), '06 79 00'],
    ['Authorisation 1.00 EUR', () => authorisation(100), '06 01 0A 04 00 00 00 00 01 00 49 09 78'],
  ])('%s', (_name, build, hex) => {
    expect(hexOf(encodeApdu(build()))).toBe(hex);
  });

  it('refuses a password that is not 6 digits', () => {
    expect(() => statusEnquiry('12345', null)).toThrow(RangeError);
  });
});
