import { describe, expect, it } from 'vitest';
import type { DeviceLink } from '../../../../drivers/model.js';
import { encodeApdu, toHex } from '../../../../drivers/zvt/apdu.js';
import { authorisation } from '../../../../drivers/zvt/commands.js';
import { encodeSerialBlock } from '../../../../drivers/zvt/serial-framing.js';
import type { TransportFraming } from '../../../../drivers/zvt/framing.js';
import { createZvtSimulator, type ZvtFaults } from '../../../../drivers/zvt/simulator.js';
import { type ApduRecord, createZvtTill, type ZvtTillOptions } from '../../../../drivers/zvt/till.js';
import { apdusIn, FakeClock } from './harness.js';

/** Changes a chunk on its way (n counts the chunks in that direction, from 0); null drops it. */
type LineFault = (bytes: Uint8Array, n: number) => Uint8Array | null;

/** The till ⇄ the real PT simulator, on one fake clock; every chunk is delivered on a later tick. */
function setup(framing: TransportFraming, o: { faults?: Partial<ZvtFaults>; tillToPt?: LineFault; ptToTill?: LineFault; till?: Partial<ZvtTillOptions> } = {}) {
  const clock = new FakeClock();
  const listeners = new Set<(chunk: Uint8Array) => void>();
  /** What each side put on the line, before any line fault. */
  const tillWrote: Uint8Array[] = [];
  const ptSent: Uint8Array[] = [];
  /** What the terminal received, after line faults. */
  const ptGot: Uint8Array[] = [];
  const sim = createZvtSimulator({
    framing,
    now: clock.now,
    schedule: clock.schedule,
    send(bytes) {
      const n = ptSent.length;
      ptSent.push(bytes.slice());
      const arrived = o.ptToTill ? o.ptToTill(bytes.slice(), n) : bytes.slice();
      if (arrived) clock.schedule(0, () => listeners.forEach((l) => l(arrived)));
    },
  });
  if (o.faults) sim.setFaults(o.faults);
  const link: DeviceLink = {
    write(bytes) {
      const n = tillWrote.length;
      tillWrote.push(bytes.slice());
      const arrived = o.tillToPt ? o.tillToPt(bytes.slice(), n) : bytes.slice();
      if (arrived) {
        clock.schedule(0, () => {
          ptGot.push(arrived);
          sim.receive(arrived);
        });
      }
      return Promise.resolve();
    },
    onData(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const captured: ApduRecord[] = [];
  const till = createZvtTill({ framing, link, schedule: clock.schedule, now: clock.now, onApdu: (r) => captured.push(r), ...o.till });
  /** The terminal's view, as records without times: what it received and what it sent, in order per direction. */
  const ptView = () => ({
    received: apdusIn(framing, ptGot).map((a) => toHex(encodeApdu(a))),
    sent: apdusIn(framing, ptSent).map((a) => toHex(encodeApdu(a))),
  });
  return { clock, sim, till, captured, tillWrote, ptView, listeners };
}

const names = (records: ApduRecord[]) => records.map((r) => `${r.dir} ${r.hex.slice(0, 5)}`);
const hexes = (records: ApduRecord[], dir: ApduRecord['dir']) => records.filter((r) => r.dir === dir).map((r) => r.hex);

const approvedPayment = [
  'ecr->pt 06 01',
  'pt->ecr 80 00',
  'pt->ecr 04 FF',
  'ecr->pt 80 00',
  'pt->ecr 04 0F',
  'ecr->pt 80 00',
  'pt->ecr 06 0F',
  'ecr->pt 80 00',
];

describe.each<TransportFraming>(['serial', 'tcp'])('ZVT till against the PT simulator over %s', (framing) => {
  it('runs 20 payments back to back, all approved, each acknowledged message by message', async () => {
    const s = setup(framing);
    for (let n = 1; n <= 20; n++) {
      const result = await s.clock.settle(s.till.payment(100 * n));
      expect(result).toMatchObject({ command: 'payment', outcome: 'approved', resultCode: 0, amountMinor: 100 * n, error: null });
      expect(names(result.apdus)).toEqual(approvedPayment);
    }
    await s.clock.advance(1_000); // the last 80 00 00 reaches the terminal (and, serially, its ACK comes back)
    // Byte for byte what the terminal saw, both ways, in order.
    const view = s.ptView();
    expect(hexes(s.captured, 'ecr->pt')).toEqual(view.received);
    expect(hexes(s.captured, 'pt->ecr')).toEqual(view.sent);
    expect(s.captured).toHaveLength(20 * approvedPayment.length);
  });

  it('sends the amount as BCD in BMP 04, in EUR', async () => {
    const s = setup(framing);
    const result = await s.clock.settle(s.till.payment(1234));
    expect(result.apdus[0]!.hex).toBe('06 01 0A 04 00 00 00 00 12 34 49 09 78');
  });

  it('reports a declined payment with the result code, and does not count it in the batch', async () => {
    const s = setup(framing, { faults: { declineEvery: 3 } });
    const outcomes = [];
    for (let n = 1; n <= 9; n++) outcomes.push(await s.clock.settle(s.till.payment(500)));
    expect(outcomes.map((r) => r.outcome)).toEqual(['approved', 'approved', 'declined', 'approved', 'approved', 'declined', 'approved', 'approved', 'declined']);
    const declined = outcomes[2]!;
    expect(declined).toMatchObject({ resultCode: 0x05, amountMinor: 500 });
    expect(names(declined.apdus)).toEqual([...approvedPayment.slice(0, 6), 'pt->ecr 06 1E', 'ecr->pt 80 00']);
    expect(declined.apdus[6]!.hex).toBe('06 1E 01 05');

    s.sim.setFaults({ declineEvery: 1, declineResultCode: 0x33 });
    expect(await s.clock.settle(s.till.payment(700))).toMatchObject({ outcome: 'declined', resultCode: 0x33 });

    const eod = await s.clock.settle(s.till.endOfDay());
    expect(eod).toMatchObject({ command: 'end-of-day', outcome: 'approved', resultCode: 0, amountMinor: 6 * 500 });
  });

  it('settles with end-of-day: the batch total comes back, and the next batch starts empty', async () => {
    const s = setup(framing);
    for (const amount of [250, 1_000, 4_999]) await s.clock.settle(s.till.payment(amount));
    const eod = await s.clock.settle(s.till.endOfDay());
    expect(eod).toMatchObject({ outcome: 'approved', resultCode: 0, amountMinor: 6_249 });
    expect(names(eod.apdus)).toEqual([
      'ecr->pt 06 50',
      'pt->ecr 80 00',
      'pt->ecr 04 FF',
      'ecr->pt 80 00',
      'pt->ecr 06 D1',
      'ecr->pt 80 00',
      'pt->ecr 04 0F',
      'ecr->pt 80 00',
      'pt->ecr 06 0F',
      'ecr->pt 80 00',
    ]);
    expect(eod.apdus[0]!.hex).toBe('06 50 03 00 00 00');
    expect(s.sim.faults().lastSettlementAt).not.toBeNull();
    expect((await s.clock.settle(s.till.endOfDay())).amountMinor).toBe(0);
  });

  it('reports a terminal that will not pay as refused, with its result code', async () => {
    const s = setup(framing, { faults: { loggedOff: true } });
    const notLoggedOn = await s.clock.settle(s.till.payment(100));
    expect(notLoggedOn).toMatchObject({ outcome: 'refused', resultCode: 0x6b, amountMinor: null });
    expect(names(notLoggedOn.apdus)).toEqual(['ecr->pt 06 01', 'pt->ecr 80 00', 'pt->ecr 06 1E', 'ecr->pt 80 00']);
    s.sim.setFaults({ loggedOff: false, terminalStatus: 0xc1 });
    expect(await s.clock.settle(s.till.payment(100))).toMatchObject({ outcome: 'refused', resultCode: 0xc1 });
    expect(await s.clock.settle(s.till.endOfDay())).toMatchObject({ outcome: 'refused', resultCode: 0xc1 });
  });

  it('reports a command the terminal rejects outright (84 9C, busy) as refused', async () => {
    const s = setup(framing, { faults: { paymentDelayMs: 60_000 } });
    // Another ECR started a payment on the terminal; it waits for the card.
    const foreign = encodeApdu(authorisation(999));
    s.sim.receive(framing === 'serial' ? encodeSerialBlock(foreign) : foreign);
    await s.clock.advance(1_000);
    const busy = await s.clock.settle(s.till.payment(100));
    expect(busy).toMatchObject({ outcome: 'refused', resultCode: 0x9c, amountMinor: null });
    expect(names(busy.apdus)).toEqual(['ecr->pt 06 01', 'pt->ecr 84 9C']);
  });

  it('runs one command at a time: a second call waits for the first to end', async () => {
    const s = setup(framing, { faults: { paymentDelayMs: 5_000 } });
    const [first, second] = await s.clock.settle(Promise.all([s.till.payment(100), s.till.payment(200)]));
    expect([first.outcome, second.outcome]).toEqual(['approved', 'approved']);
    expect(s.captured.map((r) => `${r.dir} ${r.hex.slice(0, 5)}`)).toEqual([...approvedPayment, ...approvedPayment]);
    expect(second.durationMs).toBe(5_000); // timed from its own start, not from the call
  });

  it('times out when the terminal says nothing (T3), then runs the next payment normally', async () => {
    const s = setup(framing, { faults: { mute: true }, till: { responseTimeoutMs: 2_000, ackTimeoutMs: 1_000 } });
    const started = s.clock.time;
    const silent = await s.clock.settle(s.till.payment(100));
    expect(silent).toMatchObject({ outcome: 'timeout', resultCode: null, amountMinor: null });
    expect(silent.error).toMatch(framing === 'serial' ? /no ACK to 3 sends/ : /Authorisation 06 01 within 2000 ms/);
    // Serial: three sends, T2 apart, before giving up; TCP: one send and T3.
    expect(silent.durationMs).toBe(framing === 'serial' ? 3_000 : 2_000);
    expect(s.clock.time - started).toBe(silent.durationMs);
    s.sim.setFaults({ mute: false });
    expect(await s.clock.settle(s.till.payment(100))).toMatchObject({ outcome: 'approved' });
  });

  it('times out when the card never comes (T4)', async () => {
    const s = setup(framing, { faults: { paymentDelayMs: 120_000 }, till: { completionTimeoutMs: 30_000 } });
    const result = await s.clock.settle(s.till.payment(100));
    expect(result).toMatchObject({ outcome: 'timeout', resultCode: null });
    expect(result.error).toMatch(/completion within 30000 ms/);
    expect(result.durationMs).toBe(30_000);
    expect(names(result.apdus)).toEqual(approvedPayment.slice(0, 4));
  });

  it('takes as long as the customer takes', async () => {
    const s = setup(framing, { faults: { paymentDelayMs: 7_500 } });
    const result = await s.clock.settle(s.till.payment(100));
    expect(result).toMatchObject({ outcome: 'approved', durationMs: 7_500 });
  });

  it('ends the running payment as a link error on close, and refuses work afterwards', async () => {
    const s = setup(framing, { faults: { paymentDelayMs: 60_000 } });
    const running = s.till.payment(100);
    await s.clock.advance(1_000);
    s.till.close();
    const result = await running;
    expect(result).toMatchObject({ outcome: 'link-error', resultCode: null });
    expect(result.error).toMatch(/link closed/);
    expect(await s.till.payment(100)).toMatchObject({ outcome: 'link-error', error: expect.stringMatching(/closed/) });
    expect(s.listeners.size).toBe(0);
  });
});

describe('ZVT till on a bad serial line', () => {
  const ack = (b: Uint8Array) => b.length === 1 && b[0] === 0x06;

  it('goes on when the terminal ACK to its command is lost: the 80 00 00 stands for it, and the command is not repeated', async () => {
    let dropped = 0;
    const s = setup('serial', { ptToTill: (b) => (ack(b) && dropped++ === 0 ? null : b) });
    const result = await s.clock.settle(s.till.payment(100));
    expect(dropped).toBeGreaterThan(0);
    expect(result.outcome).toBe('approved');
    expect(names(result.apdus)).toEqual(approvedPayment);
    expect(s.ptView().received.filter((h) => h.startsWith('06 01'))).toHaveLength(1);
    expect(result.durationMs).toBe(0); // no T2 wait either
  });

  it('repeats its block when the terminal NAKs it (a byte hit on the line)', async () => {
    const s = setup('serial', {
      tillToPt: (b, n) => {
        if (n !== 0) return b;
        const hit = b.slice();
        hit[4]! ^= 0x01; // inside the APDU: the CRC no longer matches
        return hit;
      },
    });
    const result = await s.clock.settle(s.till.payment(100));
    expect(result.outcome).toBe('approved');
    // The till's record is what it put on the line: the block twice. The terminal took it once.
    expect(names(result.apdus)).toEqual(['ecr->pt 06 01', ...approvedPayment]);
    expect(s.ptView().received.filter((h) => h.startsWith('06 01'))).toHaveLength(1);
    expect(s.tillWrote[0]).toEqual(s.tillWrote[1]);
  });

  it('NAKs a block from the terminal that arrives damaged, and records only the good repeat', async () => {
    let hits = 0;
    const s = setup('serial', {
      ptToTill: (b) => {
        // The first 04 0F block: flip a bit of its data.
        if (hits > 0 || b.length < 6 || b[2] !== 0x04 || b[3] !== 0x0f) return b;
        hits++;
        const hit = b.slice();
        hit[6]! ^= 0x40;
        return hit;
      },
    });
    const result = await s.clock.settle(s.till.payment(100));
    expect(hits).toBe(1);
    expect(result.outcome).toBe('approved');
    expect(names(result.apdus)).toEqual(approvedPayment);
    expect(s.tillWrote.some((b) => b.length === 1 && b[0] === 0x15)).toBe(true);
    expect(s.ptView().sent.filter((h) => h.startsWith('04 0F'))).toHaveLength(2);
  });

  it('gives up with a link error after three NAKs', async () => {
    const s = setup('serial', {
      tillToPt: (b) => {
        if (b.length < 4) return b;
        const hit = b.slice();
        hit[3]! ^= 0x01;
        return hit;
      },
    });
    const result = await s.clock.settle(s.till.payment(100));
    expect(result).toMatchObject({ outcome: 'link-error', resultCode: null });
    expect(result.error).toMatch(/3 NAK after 3 sends/);
    expect(names(result.apdus)).toEqual(['ecr->pt 06 01', 'ecr->pt 06 01', 'ecr->pt 06 01']);
  });
});

describe('ZVT till capture', () => {
  it('hands every APDU to onApdu with the time it passed, in line order', async () => {
    const s = setup('tcp', { faults: { paymentDelayMs: 1_000 } });
    const result = await s.clock.settle(s.till.payment(100));
    expect(s.captured).toEqual(result.apdus);
    const times = s.captured.map((r) => r.at - s.captured[0]!.at);
    expect(times).toEqual([0, 0, 0, 0, 1_000, 1_000, 1_000, 1_000]);
  });
});

describe('the simulator decline faults', () => {
  const sim = () => createZvtSimulator({ framing: 'tcp', send: () => undefined, schedule: new FakeClock().schedule });

  it('start off: every payment approved, result code 05 when switched on', () => {
    expect(sim().faults()).toMatchObject({ declineEvery: 0, declineResultCode: 0x05 });
  });

  it('reject a result code of 00 (that is an approval) and counts that are no whole number', () => {
    expect(() => sim().setFaults({ declineResultCode: 0 })).toThrow(/declineResultCode must be an integer 1\.\.255/);
    expect(() => sim().setFaults({ declineEvery: -1 })).toThrow(/declineEvery/);
    expect(() => sim().setFaults({ declineEvery: 1.5 })).toThrow(/declineEvery/);
  });
});
