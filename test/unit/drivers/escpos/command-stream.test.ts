import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CommandScanner, type HostEvent } from '../../../../drivers/escpos/command-stream.js';
import { ascii } from './helpers.js';

const DLE = 0x10;
const EOT = 0x04;
const ESC = 0x1b;
const FS = 0x1c;
const GS = 0x1d;
/** A parameter value that is also a command prefix: a scanner that took the command one byte too short would start a GS command on it. */
const P = GS;

const cut: HostEvent = { type: 'cut' };
const init: HostEvent = { type: 'init' };
const unknownReply = (command: string): HostEvent => ({ type: 'query-unknown', command });
const eot = (n: 1 | 2 | 3 | 4): HostEvent => ({ type: 'query', request: { kind: 'eot', n } });
const embedded = (n: 1 | 2 | 3 | 4): HostEvent => ({ type: 'embedded-query', request: { kind: 'eot', n } });

/** Pushes one byte at a time; `at[i]` is atBoundary after byte i. */
function byteByByte(stream: readonly number[]) {
  const scanner = new CommandScanner();
  const events: HostEvent[] = [];
  const at: boolean[] = [];
  const synced: boolean[] = [];
  for (const b of stream) {
    events.push(...scanner.push(Uint8Array.of(b)));
    at.push(scanner.atBoundary);
    synced.push(scanner.synchronised);
  }
  return { scanner, events, at, synced };
}

/** The command is exactly `bytes` long: no boundary before its last byte, a boundary right after it. */
function expectOneCommand(bytes: readonly number[], events: HostEvent[] = []) {
  const run = byteByByte(bytes);
  expect(run.at).toEqual(bytes.map((_, i) => i === bytes.length - 1));
  expect(run.synced.every(Boolean)).toBe(true);
  expect(run.events).toEqual(events);
  // And it ends there: the next command is read from its first byte.
  expect(run.scanner.push(Uint8Array.of(ESC, 0x40))).toEqual([init]);
}

const filled = (n: number, value = P): number[] => new Array<number>(n).fill(value);

describe('CommandScanner command lengths', () => {
  it.each<[string, number[], HostEvent[]?]>([
    ['HT', [0x09]],
    ['LF', [0x0a]],
    ['FF', [0x0c]],
    ['CR', [0x0d]],
    ['CAN', [0x18]],
    ['a text byte', [0x41]],
    ['a UTF-8 lead byte', [0xc3]],
    ['NUL and other stray controls', [0x00]],
    ['DLE EOT 1', [DLE, EOT, 1], [eot(1)]],
    ['DLE EOT 2', [DLE, EOT, 2], [eot(2)]],
    ['DLE EOT 3', [DLE, EOT, 3], [eot(3)]],
    ['DLE EOT 4', [DLE, EOT, 4], [eot(4)]],
    ['DLE EOT 5 (slip)', [DLE, EOT, 5], [unknownReply('DLE EOT 5')]],
    ['DLE EOT 7 a (ink)', [DLE, EOT, 7, 1], [unknownReply('DLE EOT 7')]],
    ['DLE EOT 8 a (peeler)', [DLE, EOT, 8, 3], [unknownReply('DLE EOT 8')]],
    ['DLE EOT 18 a (interface)', [DLE, EOT, 18, 1], [unknownReply('DLE EOT 18')]],
    ['DLE ENQ n', [DLE, 0x05, 2]],
    ['DLE DC4 1 m t', [DLE, 0x14, 1, 0, 8]],
    ['DLE DC4 2 1 8', [DLE, 0x14, 2, 1, 8], [unknownReply('DLE DC4 2')]],
    ['DLE DC4 3 a n r t1 t2', [DLE, 0x14, 3, 1, 2, 3, 4, 5]],
    ['DLE DC4 7 m', [DLE, 0x14, 7, 1], [unknownReply('DLE DC4 7')]],
    ['DLE DC4 8 1 3 20 1 6 2 8', [DLE, 0x14, 8, 1, 3, 20, 1, 6, 2, 8], [unknownReply('DLE DC4 8')]],

    ['ESC FF', [ESC, 0x0c]],
    ['ESC SP n', [ESC, 0x20, P]],
    ['ESC ! n', [ESC, 0x21, P]],
    ['ESC $ nL nH', [ESC, 0x24, P, P]],
    ['ESC % n', [ESC, 0x25, P]],
    ['ESC - n', [ESC, 0x2d, P]],
    ['ESC 2', [ESC, 0x32]],
    ['ESC 3 n', [ESC, 0x33, P]],
    ['ESC <', [ESC, 0x3c]],
    ['ESC = n', [ESC, 0x3d, P]],
    ['ESC ? n', [ESC, 0x3f, P]],
    ['ESC @', [ESC, 0x40], [init]],
    ['ESC E n', [ESC, 0x45, P]],
    ['ESC G n', [ESC, 0x47, P]],
    ['ESC J n', [ESC, 0x4a, P]],
    ['ESC L', [ESC, 0x4c]],
    ['ESC M n', [ESC, 0x4d, P]],
    ['ESC R n', [ESC, 0x52, P]],
    ['ESC S', [ESC, 0x53]],
    ['ESC T n', [ESC, 0x54, P]],
    ['ESC U n', [ESC, 0x55, P]],
    ['ESC V n', [ESC, 0x56, P]],
    ['ESC W xL xH yL yH dxL dxH dyL dyH', [ESC, 0x57, ...filled(8)]],
    ['ESC \\ nL nH', [ESC, 0x5c, P, P]],
    ['ESC a n', [ESC, 0x61, P]],
    ['ESC c 3 n', [ESC, 0x63, 0x33, P]],
    ['ESC c 4 n', [ESC, 0x63, 0x34, P]],
    ['ESC c 5 n', [ESC, 0x63, 0x35, P]],
    ['ESC d n', [ESC, 0x64, P]],
    ['ESC e n', [ESC, 0x65, P]],
    ['ESC f t1 t2', [ESC, 0x66, P, P]],
    ['ESC i', [ESC, 0x69], [cut]],
    ['ESC m', [ESC, 0x6d], [cut]],
    ['ESC p m t1 t2', [ESC, 0x70, 0, P, P]],
    ['ESC r n', [ESC, 0x72, P]],
    ['ESC t n', [ESC, 0x74, P]],
    ['ESC u n', [ESC, 0x75, 0], [unknownReply('ESC u')]],
    ['ESC v', [ESC, 0x76], [unknownReply('ESC v')]],
    ['ESC { n', [ESC, 0x7b, P]],
    ['ESC * 0 (8-dot single density, 3 columns)', [ESC, 0x2a, 0, 3, 0, ...filled(3)]],
    ['ESC * 1 (8-dot double density, 258 columns)', [ESC, 0x2a, 1, 2, 1, ...filled(258)]],
    ['ESC * 32 (24-dot, 2 columns = 6 bytes)', [ESC, 0x2a, 32, 2, 0, ...filled(6)]],
    ['ESC * 33 (24-dot, 1 column = 3 bytes)', [ESC, 0x2a, 33, 1, 0, ...filled(3)]],
    ['ESC * with no columns', [ESC, 0x2a, 0, 0, 0]],
    ['ESC & 3 A B (x=2: 6 bytes, then x=1: 3 bytes)', [ESC, 0x26, 3, 0x41, 0x42, 2, ...filled(6), 1, ...filled(3)]],
    ['ESC & 3 A A with an empty character', [ESC, 0x26, 3, 0x41, 0x41, 0]],
    ['ESC D n1 n2 n3 NUL', [ESC, 0x44, 8, 16, 24, 0]],
    ['ESC D NUL (clear tabs)', [ESC, 0x44, 0]],
    ['ESC ( A pL pH … (beeper)', [ESC, 0x28, 0x41, 4, 0, 48, 55, P, P]],
    ['ESC ( Y pL pH …', [ESC, 0x28, 0x59, 2, 0, 48, P]],

    ['FS ! n', [FS, 0x21, P]],
    ['FS &', [FS, 0x26]],
    ['FS - n', [FS, 0x2d, P]],
    ['FS .', [FS, 0x2e]],
    ['FS ? c1 c2', [FS, 0x3f, P, P]],
    ['FS C n', [FS, 0x43, P]],
    ['FS S n1 n2', [FS, 0x53, P, P]],
    ['FS W n', [FS, 0x57, P]],
    ['FS p n m', [FS, 0x70, 1, P]],
    ['FS 2 c1 c2 d1…d72', [FS, 0x32, 0x77, 0x21, ...filled(72)]],
    ['FS q 2 (1×1 and 2×1: 8 + 16 bytes)', [FS, 0x71, 2, 1, 0, 1, 0, ...filled(8), 2, 0, 1, 0, ...filled(16)]],
    ['FS q 0', [FS, 0x71, 0]],
    ['FS g 1 m a1-a4 nL nH d1…d3', [FS, 0x67, 0x31, 0, 0, 0, 0, 0, 3, 0, ...filled(3)]],
    ['FS g 2 m a1-a4 nL nH', [FS, 0x67, 0x32, 0, 0, 0, 0, 0, 3, 0], [unknownReply('FS g 2')]],
    ['FS ( A pL pH …', [FS, 0x28, 0x41, 2, 0, 48, P]],
    ['FS ( C pL pH …', [FS, 0x28, 0x43, 3, 0, 48, 2, P]],
    ['FS ( E fn 60 (cancel logo)', [FS, 0x28, 0x45, 6, 0, 60, 2, 48, 67, 76, 82]],
    ['FS ( E fn 61 (transmit logo settings)', [FS, 0x28, 0x45, 3, 0, 61, 2, 48], [unknownReply('FS ( E fn 61')]],
    ['FS ( L fn 34 (transmit paper layout)', [FS, 0x28, 0x4c, 2, 0, 34, 64], [unknownReply('FS ( L fn 34')]],
    ['FS ( L fn 66 (feed to cut)', [FS, 0x28, 0x4c, 2, 0, 66, 48]],
    ['FS ( e (extended ASB)', [FS, 0x28, 0x65, 2, 0, 51, 8], [unknownReply('FS ( e')]],

    ['GS ! n', [GS, 0x21, P]],
    ['GS $ nL nH', [GS, 0x24, P, P]],
    ['GS ( A pL pH n m (test print)', [GS, 0x28, 0x41, 2, 0, 0, 2]],
    ['GS ( D pL pH … (real-time commands on/off)', [GS, 0x28, 0x44, 5, 0, 20, 1, 0, 2, 0]],
    ['GS ( H fn 48 (process ID response)', [GS, 0x28, 0x48, 6, 0, 48, 48, 0x41, 0x42, 0x43, 0x44], [unknownReply('GS ( H')]],
    ['GS ( E fn 1 (user setting mode, answers)', [GS, 0x28, 0x45, 3, 0, 1, 73, 78], [unknownReply('GS ( E fn 1')]],
    ['GS ( E fn 3 (set memory switch)', [GS, 0x28, 0x45, 10, 0, 3, 1, ...filled(8, 0x32)]],
    ['GS ( E fn 4 (transmit memory switch)', [GS, 0x28, 0x45, 2, 0, 4, 1], [unknownReply('GS ( E fn 4')]],
    ['GS ( L fn 112 (graphics into the print buffer)', [GS, 0x28, 0x4c, 12, 0, 48, 112, 48, 1, 1, 49, 8, 0, 1, 0, P, P]],
    ['GS ( L fn 48 (transmit NV graphics capacity)', [GS, 0x28, 0x4c, 2, 0, 48, 48], [unknownReply('GS ( L fn 48')]],
    ['GS ( C fn 51 (transmit NV user memory capacity)', [GS, 0x28, 0x43, 2, 0, 0, 51], [unknownReply('GS ( C fn 51')]],
    ['GS ( k QR store (cn 49 fn 80)', [GS, 0x28, 0x6b, 6, 0, 49, 80, 48, ...ascii('abc')]],
    ['GS ( k QR transmit size (cn 49 fn 82)', [GS, 0x28, 0x6b, 3, 0, 49, 82, 48], [unknownReply('GS ( k fn 82')]],
    ['GS ( x with pL pH = 0', [GS, 0x28, 0x4b, 0, 0]],
    ['GS ( x with one parameter', [GS, 0x28, 0x4e, 1, 0, P]],
    ['GS ( x with a 16-bit length (300)', [GS, 0x28, 0x51, 44, 1, ...filled(300)]],
    ['GS * x y (2×3: 48 bytes)', [GS, 0x2a, 2, 3, ...filled(48)]],
    ['GS / m', [GS, 0x2f, P]],
    ['GS :', [GS, 0x3a]],
    ['GS B n', [GS, 0x42, P]],
    ['GS C 0 n m', [GS, 0x43, 0x30, P, P]],
    ['GS C 1 aL aH bL bH n r', [GS, 0x43, 0x31, ...filled(6)]],
    ['GS C 2 nL nH', [GS, 0x43, 0x32, P, P]],
    ['GS E n', [GS, 0x45, P]],
    ['GS H n', [GS, 0x48, P]],
    ['GS I 1', [GS, 0x49, 1], [{ type: 'query', request: { kind: 'info', n: 1 } }]],
    ['GS I 66', [GS, 0x49, 66], [{ type: 'query', request: { kind: 'info', n: 66 } }]],
    ['GS I 112 (not an InfoNumber)', [GS, 0x49, 112], [unknownReply('GS I 112')]],
    ['GS L nL nH', [GS, 0x4c, P, P]],
    ['GS P x y', [GS, 0x50, P, P]],
    ['GS T n', [GS, 0x54, P]],
    ['GS V 0', [GS, 0x56, 0], [cut]],
    ['GS V 1', [GS, 0x56, 1], [cut]],
    ['GS V 48', [GS, 0x56, 48], [cut]],
    ['GS V 49', [GS, 0x56, 49], [cut]],
    ['GS V 65 n', [GS, 0x56, 65, P], [cut]],
    ['GS V 66 n', [GS, 0x56, 66, P], [cut]],
    ['GS V 97 n', [GS, 0x56, 97, P], [cut]],
    ['GS V 98 n', [GS, 0x56, 98, P], [cut]],
    ['GS V 103 n', [GS, 0x56, 103, P], [cut]],
    ['GS V 104 n', [GS, 0x56, 104, P], [cut]],
    ['GS W nL nH', [GS, 0x57, P, P]],
    ['GS \\ nL nH', [GS, 0x5c, P, P]],
    ['GS ^ r t m', [GS, 0x5e, P, P, P]],
    ['GS a n', [GS, 0x61, 0x0f], [{ type: 'asb-enable', mask: 0x0f }]],
    ['GS b n', [GS, 0x62, P]],
    ['GS c', [GS, 0x63]],
    ['GS f n', [GS, 0x66, P]],
    ['GS g 0 m nL nH', [GS, 0x67, 0x30, 0, 20, 0]],
    ['GS g 2 m nL nH', [GS, 0x67, 0x32, 0, 20, 0], [unknownReply('GS g 2')]],
    ['GS h n', [GS, 0x68, P]],
    ['GS j n', [GS, 0x6a, 1], [unknownReply('GS j')]],
    ['GS k 2 (EAN13) d… NUL', [GS, 0x6b, 2, ...ascii('4006381333931'), 0]],
    ['GS k 4 (CODE39) with no data', [GS, 0x6b, 4, 0]],
    ['GS k 73 n (CODE128, data with control bytes)', [GS, 0x6b, 73, 5, 0x7b, 0x42, ESC, GS, 0x00]],
    ['GS k 79 n with n = 0', [GS, 0x6b, 79, 0]],
    ['GS r 1', [GS, 0x72, 1], [{ type: 'query', request: { kind: 'status', n: 1 } }]],
    ['GS r 2', [GS, 0x72, 2], [{ type: 'query', request: { kind: 'status', n: 2 } }]],
    ['GS r 49', [GS, 0x72, 49], [{ type: 'query', request: { kind: 'status', n: 49 } }]],
    ['GS r 50', [GS, 0x72, 50], [{ type: 'query', request: { kind: 'status', n: 50 } }]],
    ['GS r 4 (ink)', [GS, 0x72, 4], [unknownReply('GS r 4')]],
    ['GS v 0 m xL xH yL yH (3×2 = 6 bytes)', [GS, 0x76, 0x30, 0, 3, 0, 2, 0, ...filled(6)]],
    ['GS v 0 with 16-bit sizes (258×1)', [GS, 0x76, 0x30, 0, 2, 1, 1, 0, ...filled(258)]],
    ['GS v 0 of zero size', [GS, 0x76, 0x30, 0, 0, 0, 5, 0]],
    ['GS w n', [GS, 0x77, P]],
    ['GS 8 L p1-p4 m fn … (5 parameter bytes)', [GS, 0x38, 0x4c, 5, 0, 0, 0, 48, 112, P, P, P]],
    ['GS 8 L fn 51 (transmit remaining capacity)', [GS, 0x38, 0x4c, 2, 0, 0, 0, 48, 51], [unknownReply('GS 8 L fn 51')]],
    ['GS 8 L with a 24-bit length (65,538)', [GS, 0x38, 0x4c, 2, 0, 1, 0, 48, 112, ...filled(65536)]],
  ])('%s', (_name, bytes, events = []) => {
    expectOneCommand(bytes, events);
  });
});

describe('CommandScanner data and real-time sequences', () => {
  it('does not take 10 04 01 or 1D 56 00 inside a GS v 0 image for a query or a cut, and reports the embedded real-time query', () => {
    const image = [0x10, 0x04, 0x01, 0x1d, 0x56, 0x00, 0xff, 0x1b];
    const stream = [GS, 0x76, 0x30, 0, 4, 0, 2, 0, ...image];
    const run = byteByByte(stream);
    expect(run.at).toEqual(stream.map((_, i) => i === stream.length - 1));
    // The printer's real-time receiver answers 10 04 01 even here (Epson DLE EOT notes).
    expect(run.events).toEqual([embedded(1)]);
    expect(run.scanner.cuts).toBe(0);
    expect(run.scanner.dataBytes).toBe(8);
  });

  it('reports 10 04 n spread over a parameter and the bytes after it (ESC 3 <10> 04 01)', () => {
    const run = byteByByte([ESC, 0x33, DLE, EOT, 1]);
    expect(run.events).toEqual([embedded(1)]);
    // ESC 3 took the DLE; 04 and 01 are one-byte controls after it.
    expect(run.at).toEqual([false, false, true, true, true]);
  });

  it('reports a DLE EOT command once, as a query, even after a run of DLE bytes', () => {
    expect(byteByByte([DLE, EOT, 2]).events).toEqual([eot(2)]);
    // Image data ending in 10 04, then a real DLE EOT 1: one answer, the command's.
    const stream = [GS, 0x76, 0x30, 0, 2, 0, 1, 0, DLE, EOT, DLE, EOT, 1];
    expect(byteByByte(stream).events).toEqual([eot(1)]);
  });

  it('reads a NUL-terminated bar code to its NUL, and ends it at a control byte the printer would take as normal data', () => {
    const code39 = [GS, 0x6b, 4, ...ascii('*AB-12*'), 0];
    expectOneCommand(code39);
    // A missing NUL: LF ends the bar code and is itself a command.
    const run = byteByByte([GS, 0x6b, 2, ...ascii('400638'), 0x0a, 0x41]);
    expect(run.at).toEqual([false, false, false, false, false, false, false, false, false, true, true]);
    // ESC ends it too and starts a command.
    expect(byteByByte([GS, 0x6b, 5, ...ascii('12'), ESC, 0x69]).events).toEqual([cut]);
  });

  it('ends ESC D at a value not above the previous one, or after 32 values, and reads what follows as normal data', () => {
    const descending = byteByByte([ESC, 0x44, 8, 16, 8, 0x41]);
    expect(descending.at).toEqual([false, false, false, false, true, true]);
    const tabs = Array.from({ length: 32 }, (_, i) => i + 1);
    const full = byteByByte([ESC, 0x44, ...tabs, 200]);
    expect(full.at.slice(-2)).toEqual([false, true]);
    expect(full.scanner.dataBytes).toBe(1); // 200 was text
  });

  it('counts down a 10 MB raster image without keeping it, in any chunk size', () => {
    const scanner = new CommandScanner();
    // 1000 bytes wide, 10,000 rows.
    scanner.push(Uint8Array.of(GS, 0x76, 0x30, 0, 0xe8, 0x03, 0x10, 0x27));
    const chunk = new Uint8Array(65_536).fill(0x10);
    let left = 10_000_000;
    while (left > 1) {
      const part = chunk.subarray(0, Math.min(chunk.length, left - 1));
      expect(scanner.push(part)).toEqual([]);
      left -= part.length;
    }
    expect(scanner.atBoundary).toBe(false);
    scanner.push(Uint8Array.of(0x00));
    expect(scanner.atBoundary).toBe(true);
    expect(scanner.dataBytes).toBe(10_000_000);
  });

  it('counts down a GS 8 L of nearly 4 GB as a number, not a buffer', () => {
    const scanner = new CommandScanner();
    scanner.push(Uint8Array.of(GS, 0x38, 0x4c, 0xff, 0xff, 0xff, 0xff, 48, 112));
    scanner.push(new Uint8Array(1_000_000));
    expect(scanner.atBoundary).toBe(false);
    expect(scanner.synchronised).toBe(true);
  });
});

describe('CommandScanner losing and regaining the command boundaries', () => {
  it('reports an unknown command once, stays unsynchronised through later text, and trusts boundaries again after resync()', () => {
    const scanner = new CommandScanner();
    expect(scanner.push(Uint8Array.of(0x41, ESC, 0x99, ...ascii('Total')))).toEqual([{ type: 'unknown', command: 'ESC 0x99' }]);
    expect(scanner.synchronised).toBe(false);
    expect(scanner.atBoundary).toBe(false);
    expect(scanner.push(Uint8Array.of(GS, 0x01))).toEqual([]); // a second unknown: not reported again
    scanner.resync();
    expect(scanner.synchronised).toBe(true);
    expect(scanner.atBoundary).toBe(true);
    expect(scanner.push(Uint8Array.of(FS, 0x7a))).toEqual([{ type: 'unknown', command: 'FS z' }]);
  });

  it.each<[string, number[], string]>([
    ['an unknown ESC letter', [ESC, 0x6b], 'ESC k'],
    ['an unknown GS letter (hex for non-printables)', [GS, 0x99], 'GS 0x99'],
    ['an unknown FS letter', [FS, 0x41], 'FS A'],
    ['DLE followed by anything else', [DLE, 0x41], 'DLE A'],
    ['DLE EOT 6', [DLE, EOT, 6], 'DLE EOT 6'],
    ['DLE DC4 5', [DLE, 0x14, 5], 'DLE DC4 5'],
    ['GS V 2', [GS, 0x56, 2], 'GS V 2'],
    ['GS v other than 0', [GS, 0x76, 0x31], 'GS v 49'],
    ['GS k 7', [GS, 0x6b, 7], 'GS k 7'],
    ['GS 8 other than L', [GS, 0x38, 0x41], 'GS 8 65'],
    ['ESC * 2', [ESC, 0x2a, 2, 1, 0], 'ESC * 2'],
    ['ESC & with c2 < c1', [ESC, 0x26, 3, 0x42, 0x41], 'ESC & 3 66 65'],
    ['GS C ;', [GS, 0x43, 0x3b], 'GS C 59'],
    ['GS g 1', [GS, 0x67, 0x31], 'GS g 49'],
    ['FS g 3', [FS, 0x67, 0x33], 'FS g 51'],
  ])('%s loses the boundaries', (_name, bytes, command) => {
    const run = byteByByte(bytes);
    expect(run.events).toEqual([{ type: 'unknown', command }]);
    expect(run.scanner.synchronised).toBe(false);
    expect(run.scanner.atBoundary).toBe(false);
  });

  it('reads on after an unknown command, best effort, and takes a control byte after the prefix as a new command', () => {
    const scanner = new CommandScanner();
    expect(scanner.push(Uint8Array.of(GS, GS, 0x56, 0x00, ESC, 0x40))).toEqual([{ type: 'unknown', command: 'GS 0x1d' }, cut, init]);
  });

  it('ignores resync() while synchronised: a till pausing inside an image still owes the rest of it', () => {
    const scanner = new CommandScanner();
    scanner.push(Uint8Array.of(GS, 0x76, 0x30, 0, 2, 0, 1, 0, 0xaa));
    scanner.resync();
    expect(scanner.atBoundary).toBe(false);
    expect(scanner.push(Uint8Array.of(0x1d))).toEqual([]);
    expect(scanner.atBoundary).toBe(true);
  });

  it('forgets a half-read command on reset(), but keeps its counters', () => {
    const scanner = new CommandScanner();
    scanner.push(Uint8Array.of(...ascii('ab'), GS, 0x56, 0x00, GS, 0x76, 0x30, 0, 9, 0, 9, 0, 1, 2, DLE, EOT));
    expect(scanner.atBoundary).toBe(false);
    scanner.reset();
    expect(scanner.atBoundary).toBe(true);
    // The DLE EOT before the reset does not pair with this 01.
    expect(scanner.push(Uint8Array.of(0x01, ESC, 0x69))).toEqual([cut]);
    expect(scanner.cuts).toBe(2);
    expect(scanner.dataBytes).toBe(6); // ab, and 1 2 DLE EOT as image data
  });

  it('counts receipts and print data, not command parameters', () => {
    const scanner = new CommandScanner();
    scanner.push(Uint8Array.of(ESC, 0x40, ESC, 0x21, 0x30, ...ascii('Hello'), 0x0a, GS, 0x56, 0x41, 0x03));
    scanner.push(Uint8Array.of(...new TextEncoder().encode('Zoë'), ESC, 0x2a, 33, 1, 0, 1, 2, 3, ESC, 0x6d, GS, 0x6b, 4, ...ascii('A1'), 0));
    expect(scanner.cuts).toBe(2);
    // Hello (5) + Zoë in UTF-8 (4) + ESC * data (3) + bar code data (2).
    expect(scanner.dataBytes).toBe(14);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties. The generator states the lengths again, from the Epson guide, independently of the table.

interface Sample {
  bytes: number[];
  events: HostEvent[];
}
const sample = (bytes: number[], events: HostEvent[] = []): Sample => ({ bytes, events });
const anyByte = fc.integer({ min: 0, max: 255 });
const bytesOf = (n: number) => fc.array(anyByte, { minLength: n, maxLength: n });
const small = (max: number) => fc.integer({ min: 0, max });

const wellFormed: fc.Arbitrary<Sample> = fc.oneof(
  fc.integer({ min: 0x20, max: 0xff }).map((b) => sample([b])),
  fc.constantFrom(0x00, 0x01, 0x04, 0x09, 0x0a, 0x0c, 0x0d, 0x18).map((b) => sample([b])),
  fc.tuple(fc.constantFrom(0x20, 0x21, 0x2d, 0x33, 0x4a, 0x61, 0x74, 0x7b), anyByte).map(([l, n]) => sample([ESC, l, n])),
  fc.tuple(fc.constantFrom(0x24, 0x5c), anyByte, anyByte).map(([l, a, b]) => sample([ESC, l, a, b])),
  fc.constantFrom(0x21, 0x42, 0x48, 0x66, 0x68, 0x77).chain((l) => anyByte.map((n) => sample([GS, l, n]))),
  fc.constant(sample([ESC, 0x40], [init])),
  fc.constantFrom(0x69, 0x6d).map((l) => sample([ESC, l], [cut])),
  fc.constantFrom(0, 1, 48, 49).map((m) => sample([GS, 0x56, m], [cut])),
  fc.tuple(fc.constantFrom(65, 66, 97, 98, 103, 104), anyByte).map(([m, n]) => sample([GS, 0x56, m, n], [cut])),
  fc.constantFrom(1, 2, 3, 4).map((n) => sample([DLE, EOT, n], [eot(n as 1 | 2 | 3 | 4)])),
  fc.constantFrom(1, 2, 3, 49, 50, 51, 65, 66, 67, 68, 69).map((n) => sample([GS, 0x49, n], [{ type: 'query', request: { kind: 'info', n } } as HostEvent])),
  fc.constantFrom(1, 2, 49, 50).map((n) => sample([GS, 0x72, n], [{ type: 'query', request: { kind: 'status', n } } as HostEvent])),
  anyByte.map((mask) => sample([GS, 0x61, mask], [{ type: 'asb-enable', mask }])),
  fc.constant(sample([GS, 0x28, 0x48, 6, 0, 48, 48, 1, 2, 3, 4], [unknownReply('GS ( H')])),
  fc
    .tuple(fc.constantFrom(0, 1, 32, 33), small(12))
    .chain(([m, k]) => bytesOf((m >= 32 ? 3 : 1) * k).map((d) => sample([ESC, 0x2a, m, k, 0, ...d]))),
  fc.tuple(small(5), small(4)).chain(([x, y]) => bytesOf(x * y).map((d) => sample([GS, 0x76, 0x30, 0, x, 0, y, 0, ...d]))),
  fc.tuple(small(2), small(2)).chain(([x, y]) => bytesOf(x * y * 8).map((d) => sample([GS, 0x2a, x, y, ...d]))),
  fc.array(anyByte, { maxLength: 20 }).map((p) => sample([GS, 0x28, 0x4c, p.length + 2, 0, 48, 112, ...p])),
  fc.array(anyByte, { maxLength: 20 }).map((p) => sample([GS, 0x38, 0x4c, p.length + 2, 0, 0, 0, 48, 112, ...p])),
  fc
    .tuple(small(6), fc.array(fc.integer({ min: 0x20, max: 0xff }), { maxLength: 14 }))
    .map(([m, d]) => sample([GS, 0x6b, m, ...d, 0])),
  fc.tuple(fc.integer({ min: 65, max: 79 }), small(12)).chain(([m, n]) => bytesOf(n).map((d) => sample([GS, 0x6b, m, n, ...d]))),
  fc
    .array(fc.tuple(small(2), small(2)), { maxLength: 3 })
    .chain((sizes) =>
      fc
        .tuple(...sizes.map(([x, y]) => bytesOf(x * y * 8).map((d) => [x, 0, y, 0, ...d])))
        .map((images) => sample([FS, 0x71, sizes.length, ...images.flat()])),
    ),
  fc
    .tuple(fc.integer({ min: 2, max: 3 }), fc.array(small(3), { minLength: 1, maxLength: 3 }))
    .chain(([y, widths]) =>
      fc
        .tuple(...widths.map((x) => bytesOf(y * x).map((d) => [x, ...d])))
        .map((chars) => sample([ESC, 0x26, y, 0x41, 0x41 + widths.length - 1, ...chars.flat()])),
    ),
  fc.uniqueArray(fc.integer({ min: 1, max: 255 }), { maxLength: 32 }).map((tabs) => sample([ESC, 0x44, ...tabs.sort((a, b) => a - b), 0])),
);

const runs = { numRuns: 300 };

describe('CommandScanner properties', () => {
  it('finds exactly the ends of well-formed commands, and their events, with nothing unknown', () => {
    fc.assert(
      fc.property(fc.array(wellFormed, { maxLength: 30 }), (commands) => {
        const stream = commands.flatMap((c) => c.bytes);
        const ends = new Set<number>();
        let offset = 0;
        for (const c of commands) ends.add((offset += c.bytes.length));
        const run = byteByByte(stream);
        expect(run.at).toEqual(stream.map((_, i) => ends.has(i + 1)));
        expect(run.synced.every(Boolean)).toBe(true);
        // Image data may hold 10 04 n: those real-time echoes are checked elsewhere.
        expect(run.events.filter((e) => e.type !== 'embedded-query')).toEqual(commands.flatMap((c) => c.events));
        expect(run.scanner.cuts).toBe(commands.flatMap((c) => c.events).filter((e) => e.type === 'cut').length);
      }),
      runs,
    );
  });

  it('gives the same events and the same boundary answers however the stream is chunked', () => {
    const piece = fc.oneof(
      wellFormed.map((c) => c.bytes),
      fc.array(anyByte, { maxLength: 8 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 25 }), fc.array(fc.nat(), { maxLength: 12 }), (pieces, cutPoints) => {
        const stream = pieces.flat();
        const reference = byteByByte(stream);
        const ends = [...new Set(cutPoints.map((c) => c % (stream.length + 1))), stream.length].sort((a, b) => a - b);
        const scanner = new CommandScanner();
        const events: HostEvent[] = [];
        let start = 0;
        for (const end of ends) {
          events.push(...scanner.push(Uint8Array.from(stream.slice(start, end))));
          start = end;
          if (end > 0) {
            expect(scanner.atBoundary).toBe(reference.at[end - 1]);
            expect(scanner.synchronised).toBe(reference.synced[end - 1]);
          }
        }
        expect(events).toEqual(reference.events);
        expect(scanner.cuts).toBe(reference.scanner.cuts);
        expect(scanner.dataBytes).toBe(reference.scanner.dataBytes);
      }),
      runs,
    );
  });
});
