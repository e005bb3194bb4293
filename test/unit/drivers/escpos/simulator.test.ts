import { describe, expect, it } from 'vitest';
import { ReplyDemux } from '../../../../drivers/escpos/demux.js';
import { createEscposSimulator, escposFaultNames, type EscposFaults, type EscposSimulatorOptions } from '../../../../drivers/escpos/simulator.js';
import { allStatusRequests, ascii, ManualScheduler, simulatorHarness } from './helpers.js';

const GS_I = (n: number) => [0x1d, 0x49, n];

describe('ESC/POS simulator', () => {
  it('answers DLE EOT 1-4 with 0x12 when all is well', () => {
    const h = simulatorHarness();
    h.send(...allStatusRequests);
    expect(h.take()).toEqual([0x12, 0x12, 0x12, 0x12]);
  });

  it.each<[keyof EscposFaults, number[]]>([
    ['paperLow', [0x12, 0x12, 0x12, 0x1e]],
    ['paperOut', [0x1a, 0x32, 0x12, 0x72]],
    ['coverOpen', [0x1a, 0x16, 0x12, 0x12]],
    ['cutterError', [0x1a, 0x52, 0x1a, 0x12]],
    ['unrecoverableError', [0x1a, 0x52, 0x32, 0x12]],
    ['overheated', [0x1a, 0x52, 0x52, 0x12]],
  ])('%s gives DLE EOT 1-4 = %j', (fault, expected) => {
    const h = simulatorHarness();
    h.sim.setFaults({ [fault]: true });
    h.send(...allStatusRequests);
    expect(h.take()).toEqual(expected);
  });

  it('combines faults bit by bit', () => {
    const h = simulatorHarness();
    h.sim.setFaults({ paperLow: true, coverOpen: true, cutterError: true });
    h.send(...allStatusRequests);
    expect(h.take()).toEqual([0x1a, 0x56, 0x1a, 0x1e]);
  });

  it('answers GS I 65-68 with info B blocks and 1-3 / 49-51 with single bytes', () => {
    const h = simulatorHarness();
    h.send(...GS_I(66), ...GS_I(67), ...GS_I(68), ...GS_I(65));
    expect(h.take()).toEqual([
      ...[0x5f, ...ascii('POSDIAG'), 0x00],
      ...[0x5f, ...ascii('SIM-T80 (simulated)'), 0x00],
      ...[0x5f, ...ascii('SIM0001'), 0x00],
      ...[0x5f, ...ascii('1.00-sim'), 0x00],
    ]);
    h.send(...GS_I(1), ...GS_I(2), ...GS_I(3), ...GS_I(50));
    expect(h.take()).toEqual([0x20, 0x02, 0x01, 0x02]);
    h.send(...GS_I(69), ...GS_I(112));
    expect(h.take()).toEqual([]);
  });

  it('uses the identity it was given', () => {
    const h = simulatorHarness({ manufacturer: 'ACME', serial: 'X1' });
    h.send(...GS_I(66), ...GS_I(68));
    expect(h.take()).toEqual([0x5f, ...ascii('ACME'), 0x00, 0x5f, ...ascii('X1'), 0x00]);
  });

  it('answers GS r 1 (paper, GS r layout) and GS r 2 (drawer)', () => {
    const h = simulatorHarness();
    h.sim.setFaults({ paperLow: true });
    h.send(0x1d, 0x72, 0x01, 0x1d, 0x72, 0x31, 0x1d, 0x72, 0x02);
    expect(h.take()).toEqual([0x03, 0x03, 0x00]);
  });

  it('answers DLE EOT while stopped but holds queued commands until it recovers (§3)', () => {
    const h = simulatorHarness();
    h.sim.setFaults({ paperOut: true });
    h.send(...GS_I(66), 0x1d, 0x72, 0x01, 0x10, 0x04, 0x01);
    expect(h.take()).toEqual([0x1a]);
    h.sim.setFaults({ paperOut: false });
    expect(h.take()).toEqual([0x5f, ...ascii('POSDIAG'), 0x00, 0x00]);
  });

  it('holds GS a too while stopped, and sends the ASB once it runs', () => {
    const h = simulatorHarness();
    h.sim.setFaults({ coverOpen: true });
    h.send(0x1d, 0x61, 0x0f);
    expect(h.take()).toEqual([]);
    h.sim.setFaults({ coverOpen: false });
    expect(h.take()).toEqual([0x10, 0x00, 0x00, 0x00]);
  });

  it('skips print data and unknown commands, but answers a DLE EOT embedded in them (Epson: 10 04 n is answered wherever it appears)', () => {
    const h = simulatorHarness();
    const printData = [...ascii('Total 12.50\n'), 0x1b, 0x40, 0x1d, 0x56, 0x00, 0x1d, 0x1d, 0xff, 0x10, 0x05, 0x02];
    h.send(...printData);
    expect(h.take()).toEqual([]);
    // ESC 3 <10> 04 01: the DLE becomes ESC 3's parameter on a real printer, and DLE EOT 1 is still answered.
    h.send(0x1b, 0x33, 0x10, 0x04, 0x01);
    expect(h.take()).toEqual([0x12]);
    // Commands split across chunks.
    h.send(0x1d);
    h.send(0x49);
    h.send(0x42, 0x10);
    h.send(0x04);
    h.send(0x04);
    expect(h.take()).toEqual([0x5f, ...ascii('POSDIAG'), 0x00, 0x12]);
  });

  it('answers nothing while mute, and again once unmuted', () => {
    const h = simulatorHarness();
    h.sim.setFaults({ mute: true });
    h.send(...allStatusRequests, ...GS_I(66));
    expect(h.take()).toEqual([]);
    h.sim.setFaults({ mute: false });
    h.send(0x10, 0x04, 0x01);
    expect(h.take()).toEqual([0x12]);
  });

  it('delays every answer by slowMs through the scheduler, with the state of when it was asked', () => {
    const h = simulatorHarness();
    h.sim.setFaults({ slowMs: 200 });
    h.send(0x10, 0x04, 0x04);
    h.sim.setFaults({ paperOut: true });
    h.scheduler.advance(199);
    expect(h.take()).toEqual([]);
    h.scheduler.advance(1);
    expect(h.take()).toEqual([0x12]);
  });

  it('wraps answers in 1-3 bytes with bit 7 set on each side when garbage is on', () => {
    const h = simulatorHarness();
    h.sim.setFaults({ garbage: true, coverOpen: true });
    h.send(0x10, 0x04, 0x02);
    const out = h.take();
    const at = out.indexOf(0x16);
    expect(at).toBeGreaterThanOrEqual(1);
    expect(at).toBeLessThanOrEqual(3);
    expect(out.length - at - 1).toBeGreaterThanOrEqual(1);
    expect(out.length - at - 1).toBeLessThanOrEqual(3);
    expect(out.filter((_, i) => i !== at).every((b) => b >= 0x80)).toBe(true);

    const demux = new ReplyDemux();
    const id = demux.expect({ kind: 'eot', n: 2 });
    expect(demux.push(Uint8Array.from(out)).filter((e) => e.type === 'reply')).toEqual([
      { type: 'reply', id, request: { kind: 'eot', n: 2 }, bytes: Uint8Array.of(0x16) },
    ]);
  });

  it('sends ASB at once when GS a enables it, then on every change of an enabled item', () => {
    const h = simulatorHarness();
    h.send(0x1d, 0x61, 0x0f);
    expect(h.take()).toEqual([0x10, 0x00, 0x00, 0x00]);
    h.sim.setFaults({ paperLow: true });
    expect(h.take()).toEqual([0x10, 0x00, 0x03, 0x00]);
    h.sim.setFaults({ paperLow: true, slowMs: 0, garbage: false });
    expect(h.take()).toEqual([]);
    h.sim.setFaults({ coverOpen: true });
    expect(h.take()).toEqual([0x38, 0x00, 0x03, 0x00]);
    h.sim.setFaults({ coverOpen: false, cutterError: true });
    expect(h.take()).toEqual([0x18, 0x08, 0x03, 0x00]);
  });

  it('sends ASB only for the groups enabled, and stops after GS a 0', () => {
    const h = simulatorHarness();
    h.send(0x1d, 0x61, 0x08); // roll paper only
    expect(h.take()).toEqual([0x10, 0x00, 0x00, 0x00]);
    h.sim.setFaults({ coverOpen: true }); // online/offline group: not enabled
    expect(h.take()).toEqual([]);
    h.sim.setFaults({ paperLow: true });
    expect(h.take()).toEqual([0x38, 0x00, 0x03, 0x00]);
    h.sim.setFaults({ coverOpen: false }); // GS a is queued: it would wait while the cover is open
    expect(h.take()).toEqual([]);
    h.send(0x1d, 0x61, 0x00);
    h.sim.setFaults({ paperLow: false });
    expect(h.take()).toEqual([]);
  });

  it('rejects unknown fault names, naming them and the known ones', () => {
    const h = simulatorHarness();
    expect(() => h.sim.setFaults({ paperJam: true } as Partial<EscposFaults>)).toThrow(
      /unknown escpos fault paperJam; known faults: paperLow, paperOut, coverOpen, cutterError, unrecoverableError, overheated, mute, garbage, slowMs/,
    );
    expect(() => h.sim.setFaults({ slowMs: -5 })).toThrow(TypeError);
    expect(() => h.sim.setFaults({ mute: 'yes' } as unknown as Partial<EscposFaults>)).toThrow(/mute must be true or false/);
    expect(h.sim.faults()).toEqual({
      paperLow: false,
      paperOut: false,
      coverOpen: false,
      cutterError: false,
      unrecoverableError: false,
      overheated: false,
      mute: false,
      garbage: false,
      slowMs: 0,
    });
  });

  it('returns copies of its faults', () => {
    const h = simulatorHarness();
    const returned = h.sim.setFaults({ paperOut: true });
    returned.paperOut = false;
    h.sim.faults().coverOpen = true;
    expect(h.sim.faults()).toMatchObject({ paperOut: true, coverOpen: false });
  });

  it('lists its faults', () => {
    expect(escposFaultNames).toEqual(['paperLow', 'paperOut', 'coverOpen', 'cutterError', 'unrecoverableError', 'overheated', 'mute', 'garbage', 'slowMs']);
  });

  it('cancels pending answers on close()', () => {
    const h = simulatorHarness();
    h.sim.setFaults({ slowMs: 10 });
    h.send(...allStatusRequests);
    expect(h.scheduler.pending).toBe(4);
    h.sim.close();
    expect(h.scheduler.pending).toBe(0);
    h.scheduler.advance(100);
    h.send(...allStatusRequests);
    h.scheduler.advance(100);
    expect(h.take()).toEqual([]);
  });
});

/** A simulator with options; `send` takes bytes as numbers, `take()` returns and clears what it answered. */
function printer(options: EscposSimulatorOptions = {}) {
  const scheduler = new ManualScheduler();
  let sent: number[] = [];
  const sim = createEscposSimulator({ transport: 'tcp', send: (b) => sent.push(...b), schedule: scheduler.schedule }, {}, options);
  return {
    sim,
    send: (...bytes: number[]) => sim.receive(Uint8Array.from(bytes)),
    take(): number[] {
      const out = sent;
      sent = [];
      return out;
    },
  };
}

/** GS v 0, `data.length` bytes wide and one row high. */
const raster = (data: number[]) => [0x1d, 0x76, 0x30, 0x00, data.length & 0xff, data.length >> 8, 0x01, 0x00, ...data];

describe('ESC/POS simulator reads commands like a printer', () => {
  it('does not run GS I, GS r or GS a found inside image data: they are pixels', () => {
    const p = printer();
    p.send(...raster([0x1d, 0x49, 0x42, 0x1d, 0x72, 0x01, 0x1d, 0x61, 0x0f, 0x1d, 0x56, 0x00]));
    expect(p.take()).toEqual([]);
    expect(p.sim.printed()).toMatchObject({ bytes: 12, receipts: 0 });
    // Right after the image, the same bytes are commands.
    p.send(0x1d, 0x49, 0x42, 0x1d, 0x72, 0x01);
    expect(p.take()).toEqual([0x5f, ...ascii('POSDIAG'), 0x00, 0x00]);
  });

  it('answers 10 04 n inside image data by default, as Epson printers do, and not when answerEmbeddedDleEot is off', () => {
    const image = raster([0x10, 0x04, 0x01, 0xff]);
    const epson = printer();
    epson.send(...image);
    expect(epson.take()).toEqual([0x12]);
    const strict = printer({ answerEmbeddedDleEot: false });
    strict.send(...image);
    expect(strict.take()).toEqual([]);
    // A DLE EOT that is a command is answered either way.
    strict.send(0x10, 0x04, 0x01);
    expect(strict.take()).toEqual([0x12]);
  });

  it('counts print data and receipts, not commands or queries', () => {
    const p = printer();
    p.send(0x1b, 0x40, ...ascii('Coffee  2.50\n'), 0x10, 0x04, 0x01, 0x1d, 0x56, 0x41, 0x10);
    p.send(...raster([1, 2, 3]), 0x1d, 0x6b, 0x04, ...ascii('A12'), 0x00, 0x1b, 0x69);
    expect(p.take()).toEqual([0x12]);
    // 'Coffee  2.50' 12 + image 3 + bar code 3.
    expect(p.sim.printed()).toEqual({ bytes: 18, receipts: 2, bytesWhileStopped: 0 });
  });

  it('keeps counting what arrives while paper is out, and says how much of it could not be printed yet', () => {
    const p = printer();
    p.send(...ascii('before'));
    p.sim.setFaults({ paperOut: true });
    p.send(...ascii('during'), 0x1d, 0x56, 0x00);
    p.sim.setFaults({ paperOut: false });
    p.send(...ascii('after'));
    expect(p.sim.printed()).toEqual({ bytes: 17, receipts: 1, bytesWhileStopped: 6 });
  });

  it('captures nothing unless asked', () => {
    const p = printer();
    p.send(...ascii('x'));
    expect(p.sim.printed().capture).toBeUndefined();
  });

  it('captures every byte but the status queries, in order, across chunks', () => {
    const p = printer({ captureLimit: 1000 });
    const job = [0x1b, 0x40, ...ascii('Total'), 0x0a, ...raster([0x10, 0x04, 0x02, 0x1d, 0x49, 0x42]), 0x1d, 0x56, 0x41, 0x03];
    // The till's job with the agent's queries between its commands, one split across chunks.
    p.send(...job.slice(0, 2), 0x10, 0x04, 0x01, ...job.slice(2, 8), 0x10);
    p.send(0x04);
    p.send(0x04, ...job.slice(8), 0x1d, 0x49, 0x43, 0x1d, 0x72, 0x01);
    const printed = p.sim.printed();
    expect(Array.from(printed.capture ?? [])).toEqual(job);
    expect(printed.captureTruncated).toBe(false);
    // DLE EOT 1 and 4, the DLE EOT 2 inside the image, GS I 67 and GS r 1: all answered.
    expect(p.take()).toEqual([0x12, 0x12, 0x12, 0x5f, ...ascii('SIM-T80 (simulated)'), 0x00, 0x00]);
  });

  it('keeps only the beginning of the stream beyond the capture limit, without half a query', () => {
    const p = printer({ captureLimit: 4 });
    p.send(...ascii('abc'), 0x10, 0x04, 0x01, ...ascii('de'));
    expect(p.sim.printed()).toMatchObject({ capture: Uint8Array.from(ascii('abc')), captureTruncated: true });
    const q = printer({ captureLimit: 5 });
    q.send(...ascii('abcd'), 0x10, 0x04, 0x01, ...ascii('e'));
    expect(q.sim.printed()).toMatchObject({ capture: Uint8Array.from(ascii('abcd')), captureTruncated: true });
  });

  it('holds a GS I received as a command while stopped, but not one inside an image', () => {
    const p = printer();
    p.sim.setFaults({ coverOpen: true });
    p.send(...raster([0x1d, 0x49, 0x43]), 0x1d, 0x49, 0x42);
    expect(p.take()).toEqual([]);
    p.sim.setFaults({ coverOpen: false });
    expect(p.take()).toEqual([0x5f, ...ascii('POSDIAG'), 0x00]);
  });
});
