import { describe, expect, it } from 'vitest';
import type { Apdu } from '../../../../drivers/zvt/apdu.js';
import { apduName, encodeApdu } from '../../../../drivers/zvt/apdu.js';
import { decodeBcd, findBmp, parseStatusEnquiryCompletion, parseStatusInformation } from '../../../../drivers/zvt/bmp.js';
import { abortCommand, authorisation, endOfDay, positiveReply, statusEnquiry } from '../../../../drivers/zvt/commands.js';
import { createSerialFramer, encodeSerialBlock, type TransportFraming } from '../../../../drivers/zvt/codec.js';
import { createZvtSimulator, zvtFaultNames } from '../../../../drivers/zvt/simulator.js';
import { findTlv } from '../../../../drivers/zvt/tlv.js';
import { apdusIn, bytes, FakeClock, hexOf, startTime, Till } from './harness.js';

function setup(framing: TransportFraming) {
  const clock = new FakeClock();
  const sent: { at: number; bytes: Uint8Array }[] = [];
  /** Where the terminal's output goes: the till, a second client, or nowhere. */
  const route: { to: Till | null } = { to: null };
  const sim = createZvtSimulator({
    framing,
    now: clock.now,
    schedule: clock.schedule,
    send: (b) => {
      const copy = b.slice();
      sent.push({ at: clock.time, bytes: copy });
      clock.schedule(0, () => route.to?.layer.receive(copy));
    },
  });
  const till = new Till(framing, clock, (b) => sim.receive(b));
  route.to = till;
  return { clock, sim, till, sent, route, apdus: () => apdusIn(framing, sent.map((s) => s.bytes)) };
}

const names = (apdus: Apdu[]) => apdus.map(apduName);

describe('simulator link layer (serial)', () => {
  it('ACKs a Status-Enquiry block at once, then sends 80 00 00 as a block and waits for the ACK', async () => {
    const clock = new FakeClock();
    const out: Uint8Array[] = [];
    const sim = createZvtSimulator({ framing: 'serial', now: clock.now, schedule: clock.schedule, send: (b) => out.push(b.slice()) });
    sim.receive(bytes('10 02 05 01 05 00 00 00 03 06 10 03 2B 8A')); // V-S5
    expect(hexOf(out[0]!)).toBe('06');
    expect(hexOf(out[1]!)).toBe('10 02 80 00 00 10 03 F5 1F'); // V-S1
    expect(out).toHaveLength(2); // the completion waits for our ACK of 80 00 00
    sim.receive(bytes('06'));
    expect(apdusIn('serial', out.slice(2)).map((a) => hexOf(encodeApdu(a)))).toEqual([expect.stringMatching(/^06 0F /)]);
  });

  it('NAKs a block with a bad CRC and answers nothing else', () => {
    const out: Uint8Array[] = [];
    const clock = new FakeClock();
    const sim = createZvtSimulator({ framing: 'serial', now: clock.now, schedule: clock.schedule, send: (b) => out.push(b.slice()) });
    sim.receive(bytes('10 02 05 01 05 00 00 00 03 06 10 03 2B 8B'));
    expect(out.map(hexOf)).toEqual(['15']);
  });

  it('repeats an unacknowledged block after T2, twice, then gives up', async () => {
    const clock = new FakeClock();
    const out: { at: number; hex: string }[] = [];
    const sim = createZvtSimulator({ framing: 'serial', now: clock.now, schedule: clock.schedule, send: (b) => out.push({ at: clock.time - startTime, hex: hexOf(b) }) });
    sim.receive(encodeSerialBlock(encodeApdu(statusEnquiry('000000', 0x06))));
    await clock.advance(60_000);
    const blocks = out.filter((o) => o.hex.startsWith('10 02 80'));
    expect(blocks.map((b) => b.at)).toEqual([0, 5_000, 10_000]);
  });

  it('repeats a block at once on NAK', () => {
    const clock = new FakeClock();
    const out: string[] = [];
    const sim = createZvtSimulator({ framing: 'serial', now: clock.now, schedule: clock.schedule, send: (b) => out.push(hexOf(b)) });
    sim.receive(encodeSerialBlock(encodeApdu(statusEnquiry('000000', 0x06))));
    sim.receive(bytes('15'));
    expect(out).toEqual(['06', '10 02 80 00 00 10 03 F5 1F', '10 02 80 00 00 10 03 F5 1F']);
  });
});

describe.each<TransportFraming>(['serial', 'tcp'])('simulator flows over %s', (framing) => {
  it('answers Status-Enquiry with TLV (service byte 06): identity, TID, locks, no version', async () => {
    const s = setup(framing);
    s.sim.setFaults({ serialNumber: 'A1B2C3D4', lockBits: 0x2040 });
    const got = await s.clock.settle(s.till.run(statusEnquiry('000000', 0x06)));
    expect(names(got)).toEqual(['80 00', '06 0F']);
    const c = parseStatusEnquiryCompletion(got[1]!.data);
    expect(c.softwareVersion).toBeNull();
    expect(c.terminalStatus).toBe(0);
    expect(hexOf(findTlv(c.tlv, 0x1f42)!.value)).toBe('A1 B2 C3 D4');
    expect(hexOf(findTlv(c.tlv, 0x1f55)!.value)).toBe('20 40');
    expect(hexOf(findTlv(c.tlv, 0x1f44)!.value)).toBe('52 52 35 35');
  });

  it('sends the version and no TLV when asked without a service byte', async () => {
    const s = setup(framing);
    const got = await s.clock.settle(s.till.run(statusEnquiry('000000', null)));
    const c = parseStatusEnquiryCompletion(got.at(-1)!.data);
    expect([c.softwareVersion, c.terminalStatus, c.tlv]).toEqual(['SIM-1.0.0', 0x00, null]);
  });

  it('lets a till complete a payment (06 01) and then an end-of-day (06 50) with its totals', async () => {
    const s = setup(framing);
    s.sim.setFaults({ terminalStatus: 0xf0 });
    const pay = await s.clock.settle(s.till.run(authorisation(1234)));
    expect(names(pay)).toEqual(['80 00', '04 FF', '04 0F', '06 0F']);
    const receipt = parseStatusInformation(pay[2]!.data);
    expect(receipt.resultCode).toBe(0x00);
    expect(decodeBcd(findBmp(receipt.fields, 0x04)!.value)).toBe('000000001234');

    s.clock.time += 3_600_000;
    const eod = await s.clock.settle(s.till.run(endOfDay('000000')));
    expect(names(eod)).toEqual(['80 00', '04 FF', '06 D1', '04 0F', '06 0F']);
    const totals = parseStatusInformation(eod[3]!.data);
    expect(totals.resultCode).toBe(0);
    expect(decodeBcd(findBmp(totals.fields, 0x04)!.value)).toBe('000000001234');
    const perCard = findBmp(totals.fields, 0x60)!.value;
    expect(perCard[4]).toBe(1); // one girocard payment
    expect(decodeBcd(findBmp(totals.fields, 0x0c)!.value)).toBe(
      [new Date(s.clock.time).getHours(), new Date(s.clock.time).getMinutes(), 0].map((n) => String(n).padStart(2, '0')).join(''),
    );
    expect(s.sim.faults().lastSettlementAt).toBe(new Date(startTime + 3_600_000).toISOString());
    expect(s.sim.faults().terminalStatus).toBe(0x00); // reconciliation no longer required
  });

  it('is busy during a payment: other commands get 84 9C until it completes', async () => {
    const s = setup(framing);
    s.sim.setFaults({ paymentDelayMs: 30_000 });
    const payment = s.till.run(authorisation(500));
    await s.clock.advance(1_000);
    expect(names(s.apdus())).toEqual(['80 00', '04 FF']);
    // A second client shares the terminal; its answer is routed to it for this one exchange.
    const probe = new Till(framing, s.clock, (b) => s.sim.receive(b));
    s.route.to = probe;
    const busy = await s.clock.settle(probe.run(statusEnquiry('000000', 0x06)));
    s.route.to = s.till;
    expect(names(busy)).toEqual(['84 9C']);
    const done = await s.clock.settle(payment);
    expect(names(done)).toEqual(['80 00', '04 FF', '04 0F', '06 0F']);
    expect(s.clock.time - startTime).toBeGreaterThanOrEqual(30_000);
  });

  it('aborts a payment waiting for the card on 06 B0 with 06 1E 6C', async () => {
    const s = setup(framing);
    s.sim.setFaults({ paymentDelayMs: 60_000 });
    const payment = s.till.run(authorisation(500));
    await s.clock.advance(1_000);
    const aborted = await s.clock.settle(s.till.run(abortCommand()));
    expect(names(aborted)).toEqual(['80 00', '06 1E']);
    expect(hexOf(aborted.at(-1)!.data)).toBe('6C');
    expect(names(await s.clock.settle(payment))).toEqual(['80 00', '04 FF', '80 00', '06 1E']);
  });

  it('refuses payments while not logged on (6B) and while locked (status as result code)', async () => {
    const s = setup(framing);
    s.sim.setFaults({ loggedOff: true });
    const refused = await s.clock.settle(s.till.run(authorisation(100)));
    expect(names(refused)).toEqual(['80 00', '06 1E']);
    expect(hexOf(refused[1]!.data)).toBe('6B');
    s.sim.setFaults({ loggedOff: false, terminalStatus: 0xc1 });
    const locked = await s.clock.settle(s.till.run(authorisation(100)));
    expect(hexOf(locked.at(-1)!.data)).toBe('C1');
  });

  it('answers an unknown command with 84 83 00', async () => {
    const s = setup(framing);
    const got = await s.clock.settle(s.till.run({ cls: 0x06, ins: 0x99, data: new Uint8Array() }));
    expect(got.map((a) => hexOf(encodeApdu(a)))).toEqual(['84 83 00']);
  });

  it('runs a due automatic end-of-day inside a Status-Enquiry (04 FF 0F, 06 D1, 06 D3, 04 0F)', async () => {
    const s = setup(framing);
    s.sim.setFaults({ autoEndOfDay: true, lastSettlementAt: new Date(startTime - 3 * 86_400_000).toISOString() });
    const got = await s.clock.settle(s.till.run(statusEnquiry('000000', 0x06)));
    expect(names(got)).toEqual(['80 00', '04 FF', '06 D1', '06 D3', '04 0F', '06 0F']);
    expect(hexOf(got[1]!.data)).toBe('0F');
    expect(parseStatusEnquiryCompletion(got.at(-1)!.data).terminalStatus).toBe(0x00);
    expect(s.sim.faults()).toMatchObject({ autoEndOfDay: false, lastSettlementAt: new Date(startTime).toISOString() });
  });

  it('demands reconciliation (F0) once the last settlement is over 24 h old', async () => {
    const s = setup(framing);
    s.sim.setFaults({ lastSettlementAt: new Date(startTime - 25 * 3_600_000).toISOString() });
    const got = await s.clock.settle(s.till.run(statusEnquiry('000000', 0x06)));
    const c = parseStatusEnquiryCompletion(got.at(-1)!.data);
    expect(c.terminalStatus).toBe(0xf0);
    expect(hexOf(findTlv(c.tlv, 0x1f55)!.value)).toBe('80 00');
  });

  it('delays every message by slowMs', async () => {
    const s = setup(framing);
    s.sim.setFaults({ slowMs: 700 });
    await s.clock.settle(s.till.run(statusEnquiry('000000', 0x06)));
    const firstApdu = s.sent.find((o) => o.bytes.length > 1)!;
    expect(firstApdu.at - startTime).toBe(700);
  });

  it('says nothing when mute, and only noise when in garbage mode', async () => {
    const s = setup(framing);
    s.sim.setFaults({ mute: true });
    s.sim.receive(framing === 'serial' ? encodeSerialBlock(encodeApdu(statusEnquiry('000000', 6))) : encodeApdu(statusEnquiry('000000', 6)));
    await s.clock.advance(60_000);
    expect(s.sent).toEqual([]);
    s.route.to = null; // a till would answer whatever the noise happens to look like
    s.sim.setFaults({ mute: false, garbage: true });
    for (let i = 0; i < 20; i++) s.sim.receive(encodeApdu(statusEnquiry('000000', 6)));
    await s.clock.advance(60_000);
    expect(s.sent.length).toBe(20);
    expect(s.apdus().filter((a) => a.cls === 0x06 && a.ins === 0x0f)).toEqual([]);
  });

  it('puts line noise around its messages in noise mode, which a framer skips', async () => {
    const s = setup(framing);
    s.sim.setFaults({ noise: true });
    const got = await s.clock.settle(s.till.run(statusEnquiry('000000', 0x06)));
    expect(names(got)).toEqual(['80 00', '06 0F']);
    expect(s.till.layer.framer.discarded).toBeGreaterThan(0);
  });

  it('stops its timers on close', async () => {
    const s = setup(framing);
    s.sim.setFaults({ paymentDelayMs: 10_000 });
    void s.till.run(authorisation(100));
    await s.clock.advance(100);
    const before = s.sent.length;
    s.sim.close();
    await s.clock.advance(60_000);
    expect(s.sent.length).toBe(before);
  });
});

describe('simulator faults', () => {
  const make = () => createZvtSimulator({ framing: 'tcp', send: () => undefined, schedule: new FakeClock().schedule });

  it('lists every fault name and starts healthy', () => {
    const sim = make();
    expect(Object.keys(sim.faults()).sort()).toEqual([...zvtFaultNames].sort());
    expect(sim.faults()).toMatchObject({ terminalStatus: 0, lockBits: 0, mute: false, garbage: false });
  });

  it('rejects unknown names, naming them and the known ones', () => {
    expect(() => make().setFaults({ paperOut: true } as never)).toThrow(/unknown zvt fault paperOut; known: terminalStatus, lockBits/);
  });

  it('rejects values of the wrong kind', () => {
    const sim = make();
    expect(() => sim.setFaults({ terminalStatus: 256 })).toThrow(/terminalStatus/);
    expect(() => sim.setFaults({ lockBits: -1 })).toThrow(/lockBits/);
    expect(() => sim.setFaults({ mute: 'yes' as never })).toThrow(/mute/);
    expect(() => sim.setFaults({ serialNumber: 'XYZ' })).toThrow(/serialNumber/);
    expect(() => sim.setFaults({ lastSettlementAt: 'yesterday' })).toThrow(/lastSettlementAt/);
    expect(sim.faults().terminalStatus).toBe(0);
  });

  it('returns copies, so callers cannot change it behind its back', () => {
    const sim = make();
    const f = sim.setFaults({ lockBits: 0x0800 });
    f.lockBits = 0;
    expect(sim.faults().lockBits).toBe(0x0800);
  });
});

describe('positive reply helper', () => {
  it('is 80 00 00', () => {
    expect(hexOf(encodeApdu(positiveReply))).toBe('80 00 00');
    expect(createSerialFramer().push(encodeSerialBlock(encodeApdu(positiveReply)), 0)).toHaveLength(1);
  });
});
