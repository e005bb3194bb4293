import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dleEot, gsAsb, MAX_BLOCK_BYTES, decodeAsb, type EotNumber } from '../../../../drivers/escpos/codec.js';
import { ReplyDemux, type DemuxEvent, type EscposRequest } from '../../../../drivers/escpos/demux.js';
import { asbToReading, readingFromEotBytes } from '../../../../drivers/escpos/reading.js';
import { createEscposSimulator, type EscposFaults } from '../../../../drivers/escpos/simulator.js';

type StatusFaults = Pick<EscposFaults, 'paperLow' | 'paperOut' | 'coverOpen' | 'cutterError' | 'unrecoverableError' | 'overheated'>;

// Fixed seed: a failure reproduces; fast-check prints the counterexample.
const runs = { numRuns: 300, seed: 20261101 };

/** Cuts `bytes` into chunks at the given (unsorted, possibly repeated) positions. */
function chunked(bytes: number[], cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const to of [...points, bytes.length]) {
    chunks.push(Uint8Array.from(bytes.slice(from, to)));
    from = to;
  }
  return chunks;
}

const request = fc.oneof(
  fc.constantFrom<EscposRequest>(...([1, 2, 3, 4] as const).map((n) => ({ kind: 'eot', n }) as const)),
  fc.constantFrom<EscposRequest>({ kind: 'info', n: 1 }, { kind: 'info', n: 66 }, { kind: 'status', n: 1 }),
);

describe('ReplyDemux properties', () => {
  it('never throws, never holds more than one block, and accounts for every byte', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 600 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.array(request, { maxLength: 16 }),
        fc.boolean(),
        (bytes, cuts, requests, asb) => {
          const demux = new ReplyDemux({ asb });
          for (const r of requests) demux.expect(r);
          let accounted = 0;
          for (const chunk of chunked(bytes, cuts)) {
            for (const event of demux.push(chunk)) accounted += event.type === 'discarded' ? event.count : event.bytes.length;
            expect(demux.bufferedBytes).toBeLessThan(MAX_BLOCK_BYTES);
          }
          expect(accounted + demux.flowControlBytes + demux.bufferedBytes).toBe(bytes.length);
        },
      ),
      runs,
    );
  });

  it('recovers valid replies and ASB messages, in order, from noise with bit 7 set', () => {
    const noise = fc.array(fc.integer({ min: 0x80, max: 0xff }), { maxLength: 5 });
    const flowControl = fc.array(fc.constantFrom(0x11, 0x13), { maxLength: 2 });
    const eotReply = fc.integer({ min: 0, max: 255 }).filter((b) => (b & 0x93) === 0x12);
    const plainByte = fc.integer({ min: 0, max: 0x7f }).filter((b) => (b & 0x90) === 0);
    const text = fc.array(fc.integer({ min: 0x20, max: 0x7e }), { maxLength: 80 });
    // Each item: what the caller expects (or an ASB message, expected by nobody) and the bytes.
    const item = fc.oneof(
      fc.tuple(fc.constantFrom<EotNumber>(1, 2, 3, 4), eotReply).map(([n, b]) => ({ request: { kind: 'eot', n } as EscposRequest, bytes: [b] })),
      plainByte.map((b) => ({ request: { kind: 'info', n: 1 } as EscposRequest, bytes: [b] })),
      text.map((t) => ({ request: { kind: 'info', n: 67 } as EscposRequest, bytes: [0x5f, ...t, 0x00] })),
      fc
        .tuple(fc.integer({ min: 0, max: 255 }).filter((b) => (b & 0x93) === 0x10), plainByte, plainByte, plainByte)
        .map((asb) => ({ request: null, bytes: asb as number[] })),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(noise, item, flowControl), { maxLength: 12 }), noise, fc.array(fc.nat(), { maxLength: 30 }), (items, tail, cuts) => {
        const demux = new ReplyDemux({ asb: true });
        const ids = items.map(([, it]) => (it.request ? demux.expect(it.request) : null));
        // Noise goes between frames; XON/XOFF may also sit inside an ASB message (§2.7).
        const stream = items.flatMap(([before, it, fcBytes]) =>
          it.request === null ? [...before, it.bytes[0] ?? 0, ...fcBytes, ...it.bytes.slice(1)] : [...before, ...it.bytes, ...fcBytes],
        );
        const events: DemuxEvent[] = chunked([...stream, ...tail], cuts).flatMap((c) => demux.push(c));
        const received = events.filter((e) => e.type !== 'discarded').map((e) => [e.type === 'reply' ? e.id : 'asb', [...e.bytes]]);
        const sent = items.map(([, it], i) => [ids[i] ?? 'asb', it.bytes]);
        // EOT replies and queued replies are separate FIFOs, so compare per class.
        const byClass = (list: unknown[][], eotIds: Set<unknown>) => [
          list.filter(([id]) => eotIds.has(id)),
          list.filter(([id]) => !eotIds.has(id)),
        ];
        const eotIds = new Set(items.flatMap(([, it], i) => (it.request?.kind === 'eot' ? [ids[i]] : [])));
        expect(byClass(received, eotIds)).toEqual(byClass(sent, eotIds));
        expect(demux.outstandingCount).toBe(0);
      }),
      runs,
    );
  });
});

describe('simulator round trip', () => {
  const statusFaults: fc.Arbitrary<StatusFaults> = fc.record({
    paperLow: fc.boolean(),
    paperOut: fc.boolean(),
    coverOpen: fc.boolean(),
    cutterError: fc.boolean(),
    unrecoverableError: fc.boolean(),
    overheated: fc.boolean(),
  });

  /** What the reading's printer fields must say for these faults (status is checked elsewhere). */
  const expectedPrinter = (f: StatusFaults) => ({
    paperLow: f.paperLow,
    paperOut: f.paperOut,
    coverOpen: f.coverOpen,
    cutterError: f.cutterError,
    unrecoverableError: f.unrecoverableError,
    autoRecoverableError: f.overheated,
    offline: f.paperOut || f.coverOpen || f.cutterError || f.unrecoverableError || f.overheated,
    drawerPin3High: false,
  });

  it('DLE EOT 1-4 → simulator → demux → reading gives back exactly the faults, with or without garbage', () => {
    fc.assert(
      fc.property(statusFaults, fc.boolean(), fc.array(fc.nat(), { maxLength: 8 }), (faults, garbage, cuts) => {
        const sent: number[] = [];
        const sim = createEscposSimulator({ transport: 'serial', send: (b) => sent.push(...b), schedule: () => ({ cancel() {} }) });
        sim.setFaults({ ...faults, garbage });
        const demux = new ReplyDemux();
        const requests = ([1, 2, 3, 4] as const).map((n) => ({ kind: 'eot', n }) as const);
        const ids = requests.map((r) => demux.expect(r));
        sim.receive(Uint8Array.from(requests.flatMap((r) => [...dleEot(r.n)])));
        const replies = new Map<number, number>();
        for (const e of chunked(sent, cuts).flatMap((c) => demux.push(c))) if (e.type === 'reply') replies.set(e.id, e.bytes[0] ?? -1);
        const [b1 = -1, b2 = -1, b3 = -1, b4 = -1] = ids.map((id) => replies.get(id));
        const reading = readingFromEotBytes(b1, b2, b3, b4);
        expect(reading.ok).toBe(true);
        if (reading.ok) expect(reading.value.printer).toEqual({ ...expectedPrinter(faults), status: expect.any(String) });
      }),
      runs,
    );
  });

  it('ASB → demux → reading gives back exactly the faults after every switch', () => {
    fc.assert(
      fc.property(fc.array(statusFaults, { minLength: 1, maxLength: 5 }), (steps) => {
        const sent: number[] = [];
        const sim = createEscposSimulator({ transport: 'serial', send: (b) => sent.push(...b), schedule: () => ({ cancel() {} }) });
        sim.receive(gsAsb(0x0f));
        expect(sent.splice(0)).toEqual([0x10, 0x00, 0x00, 0x00]); // sent at once on enabling
        const demux = new ReplyDemux({ asb: true });
        let last = expectedPrinter({ paperLow: false, paperOut: false, coverOpen: false, cutterError: false, unrecoverableError: false, overheated: false });
        for (const faults of steps) {
          sim.setFaults(faults);
          const asb = demux.push(Uint8Array.from(sent.splice(0))).filter((e) => e.type === 'asb');
          const now = expectedPrinter(faults);
          // Sent exactly when the status changed.
          expect(asb).toHaveLength(JSON.stringify(now) === JSON.stringify(last) ? 0 : 1);
          for (const e of asb) {
            const decoded = decodeAsb(e.bytes);
            if (!decoded.ok) throw new Error(decoded.error.message);
            expect(asbToReading(decoded.value).printer).toEqual({ ...now, status: expect.any(String) });
          }
          last = now;
        }
      }),
      runs,
    );
  });
});
