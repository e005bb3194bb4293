import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeviceTimeoutError, type DeviceLink } from '../../../../drivers/model.js';
import { type Apdu, apduName, encodeApdu } from '../../../../drivers/zvt/apdu.js';
import { authorisation, intermediateStatus, statusEnquiryCompletion } from '../../../../drivers/zvt/commands.js';
import { createZvtDriver, ZvtCommandError, ZvtNotAllowedError, type ZvtAdminCommand } from '../../../../drivers/zvt/driver.js';
import { createTcpFramer, type TransportFraming } from '../../../../drivers/zvt/codec.js';
import { zvtOptionsSchema } from '../../../../drivers/zvt/options.js';
import { apdusIn, FakeClock, type LogLine, recordingLog, startTime, wire } from './harness.js';

const framings: TransportFraming[] = ['serial', 'tcp'];
const sentBy = (w: ReturnType<typeof wire>, framing: TransportFraming) => apdusIn(framing, w.written).map(apduName);

describe.each(framings)('ZVT driver over %s', (framing) => {
  it('reads a healthy terminal and its identity', async () => {
    const w = wire(framing);
    await w.clock.settle(w.driver.start());
    expect(w.driver.identity()).toEqual({ manufacturer: null, model: 'posdiag ZVT simulator', serial: '17FD1E3C', firmware: 'SIM-1.0.0' });
    const r = await w.clock.settle(w.driver.poll());
    expect(r).toMatchObject({
      power: 'online',
      globalStatus: 'ok',
      printer: null,
      cardReader: 'ok',
      locked: false,
      loggedOn: true,
      tamper: false,
      lastSettlementAt: null,
    });
    expect(r.zvt).toMatchObject({ terminalStatus: 0, resultCode: null, lockBits: 0, locks: [], deviceState: 0, terminalId: '52523535', outOfOrder: false });
  });

  it('sends only Status-Enquiry and acknowledgements: start asks for the version, polls use service byte 06', async () => {
    const w = wire(framing);
    await w.clock.settle(w.driver.start());
    await w.clock.settle(w.driver.poll());
    const sent = apdusIn(framing, w.written);
    expect(sent.map((a) => Buffer.from(encodeApdu(a)).toString('hex'))).toEqual([
      '050105000000' + '0304', // identity: version + TLV
      '800000',
      '050105000000' + '0306', // poll
      '800000',
    ]);
    if (framing === 'serial') {
      // Every block of the terminal was acknowledged with a bare ACK.
      expect(w.written.filter((c) => c.length === 1 && c[0] === 0x06)).toHaveLength(4);
    }
  });

  it('rejects with DeviceTimeoutError when the terminal is mute', async () => {
    const w = wire(framing, { faults: { mute: true } });
    const error = await w.clock.settle(w.driver.poll()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeviceTimeoutError);
    // TCP: T3 = requestTimeoutMs. Serial: no ACK to three sends, T2 = requestTimeoutMs each.
    const expected = framing === 'tcp' ? 1_000 : 3_000;
    expect((error as DeviceTimeoutError).timeoutMs).toBe(expected);
    expect(w.clock.time - startTime).toBe(expected);
    if (framing === 'serial') expect(w.written).toHaveLength(3);
  });

  it('rejects with DeviceTimeoutError when the terminal answers garbage only', async () => {
    const w = wire(framing, { faults: { garbage: true } });
    await expect(w.clock.settle(w.driver.poll())).rejects.toBeInstanceOf(DeviceTimeoutError);
  });

  it('reads through line noise around every message', async () => {
    const w = wire(framing, { faults: { noise: true } });
    const r = await w.clock.settle(w.driver.poll());
    expect(r.globalStatus).toBe('ok');
  });

  it('waits for a slow terminal within the timeout, times out beyond it, and recovers after', async () => {
    const w = wire(framing, { faults: { slowMs: 400 } });
    expect((await w.clock.settle(w.driver.poll())).globalStatus).toBe('ok');
    w.sim.setFaults({ slowMs: 5_000 });
    await expect(w.clock.settle(w.driver.poll())).rejects.toBeInstanceOf(DeviceTimeoutError);
    await w.clock.advance(20_000); // the late answers arrive and are acknowledged, not taken as the next reading
    w.sim.setFaults({ slowMs: 0, terminalStatus: 0xc2 });
    expect((await w.clock.settle(w.driver.poll())).zvt.terminalStatus).toBe(0xc2);
  });

  it('acknowledges a time-controlled end-of-day (04 FF 0F, 06 D1, 06 D3, 04 0F) and reports when it settled', async () => {
    const w = wire(framing, { faults: { autoEndOfDay: true } });
    w.clock.time += 1_000;
    const r = await w.clock.settle(w.driver.poll());
    const received = apdusIn(framing, w.simSent).map(apduName);
    expect(received).toEqual(['80 00', '04 FF', '06 D1', '06 D3', '04 0F', '06 0F']);
    expect(sentBy(w, framing)).toEqual(['05 01', '80 00', '80 00', '80 00', '80 00', '80 00']);
    // Terminal-local time from BMP 0C/0D, to the second.
    expect(r.lastSettlementAt).toBe(new Date(Math.floor((startTime + 1_000) / 1000) * 1000).toISOString());
    expect(r.zvt.settlementOverdue).toBe(false);
  });

  it('reports busy, not faulty, while a payment runs', async () => {
    const w = wire(framing, { faults: { paymentDelayMs: 60_000 } });
    const till = w.till();
    w.routeTo(till);
    const payment = till.run(authorisation(2_500));
    await w.clock.advance(1_000);
    w.routeTo(null);
    const r = await w.clock.settle(w.driver.poll());
    expect(r).toMatchObject({ power: 'online', globalStatus: 'busy', cardReader: 'unknown', locked: null });
    expect(r.zvt).toMatchObject({ resultCode: 0x9c, terminalStatus: null });
    w.routeTo(till);
    const done = await w.clock.settle(payment);
    expect(done.map(apduName)).toEqual(['80 00', '04 FF', '04 0F', '06 0F']);
    w.routeTo(null);
    expect((await w.clock.settle(w.driver.poll())).globalStatus).toBe('ok');
  });

  it('notices a different serial number (device.swapped) and forgets the old settlement time', async () => {
    const w = wire(framing, { faults: { autoEndOfDay: true } });
    expect((await w.clock.settle(w.driver.poll())).lastSettlementAt).not.toBeNull();
    expect(w.driver.identity().serial).toBe('17FD1E3C');
    w.sim.setFaults({ serialNumber: '00112233' });
    const r = await w.clock.settle(w.driver.poll());
    expect(w.driver.identity().serial).toBe('00112233');
    expect(r.lastSettlementAt).toBeNull();
    expect(w.logs.some((l: LogLine) => l.level === 'warn' && /serial number changed/.test(l.msg))).toBe(true);
  });

  it('shares one exchange between concurrent polls', async () => {
    const w = wire(framing);
    const [a, b] = await w.clock.settle(Promise.all([w.driver.poll(), w.driver.poll()]));
    expect(a).toBe(b);
    expect(sentBy(w, framing).filter((n) => n === '05 01')).toHaveLength(1);
  });

  it('drops a pending poll on stop(), forgets the identity, and works again after start()', async () => {
    const w = wire(framing, { faults: { slowMs: 500 } });
    await w.clock.settle(w.driver.start());
    const pending = w.driver.poll();
    w.driver.stop();
    await expect(w.clock.settle(pending)).rejects.toThrow(/link closed/);
    expect(w.driver.identity().serial).toBeNull();
    await w.clock.advance(10_000);
    await w.clock.settle(w.driver.start());
    expect((await w.clock.settle(w.driver.poll())).globalStatus).toBe('ok');
  });

  it('start() does not throw for a silent terminal', async () => {
    const w = wire(framing, { faults: { mute: true } });
    await expect(w.clock.settle(w.driver.start())).resolves.toBeUndefined();
    expect(w.logs.some((l) => l.level === 'warn' && /identity not read/.test(l.msg))).toBe(true);
  });

  it.each<ZvtAdminCommand>(['registration', 'log-off', 'diagnosis', 'end-of-day', 'selftest'])(
    'refuses %s unless allowStateChanging, without sending a byte',
    async (command) => {
      const w = wire(framing);
      await expect(w.driver.administer(command)).rejects.toBeInstanceOf(ZvtNotAllowedError);
      await w.clock.advance(10_000);
      expect(w.written).toHaveLength(0);
    },
  );

  it('runs the state-changing commands when allowed', async () => {
    const w = wire(framing, { options: { allowStateChanging: true }, faults: { terminalStatus: 0xc2 } });
    const results = [];
    for (const command of ['registration', 'diagnosis', 'selftest', 'log-off'] as const) {
      results.push(await w.clock.settle(w.driver.administer(command)));
    }
    expect(results.map((r) => [r.command, r.completed])).toEqual([
      ['registration', true],
      ['diagnosis', true],
      ['selftest', true],
      ['log-off', true],
    ]);
    expect(sentBy(w, framing).filter((n) => n !== '80 00')).toEqual(['06 00', '06 70', '06 79', '06 02']);
    expect((await w.clock.settle(w.driver.poll())).zvt.terminalStatus).toBe(0x00); // diagnosis cleared C2
    w.clock.time += 60_000;
    const eod = await w.clock.settle(w.driver.administer('end-of-day'));
    expect(eod).toMatchObject({ command: 'end-of-day', completed: true });
    expect((await w.clock.settle(w.driver.poll())).lastSettlementAt).toBe(new Date(startTime + 60_000).toISOString());
  });

  it('reports an end-of-day the terminal refuses', async () => {
    const w = wire(framing, { options: { allowStateChanging: true }, faults: { terminalStatus: 0xc1 } });
    expect(await w.clock.settle(w.driver.administer('end-of-day'))).toMatchObject({ completed: false, resultCode: 0xc1, text: 'Merchant card locked' });
    expect((await w.clock.settle(w.driver.poll())).lastSettlementAt).toBeNull();
  });
});

describe('serial line errors', () => {
  it('repeats its block when the terminal NAKs a corrupted one', async () => {
    const w = wire('serial', {
      lineFault: { driverWrite: (b, n) => (n === 0 ? Uint8Array.from(b, (x, i) => (i === 4 ? x ^ 0xff : x)) : b) },
    });
    expect((await w.clock.settle(w.driver.poll())).globalStatus).toBe('ok');
    expect(w.simSent[0]).toEqual(Uint8Array.of(0x15));
    expect(apdusIn('serial', w.written.slice(1)).map(apduName)[0]).toBe('05 01');
  });

  it('NAKs a corrupted block from the terminal and takes the repeat', async () => {
    const w = wire('serial', {
      lineFault: { simSend: (b, n) => (n === 1 ? Uint8Array.from(b, (x, i) => (i === b.length - 1 ? x ^ 0x01 : x)) : b) },
    });
    expect((await w.clock.settle(w.driver.poll())).globalStatus).toBe('ok');
    expect(w.written.some((c) => c.length === 1 && c[0] === 0x15)).toBe(true);
  });

  it('gives up after three NAKs with a transmission error, not a timeout', async () => {
    const w = wire('serial', { lineFault: { driverWrite: (b) => (b.length > 1 ? Uint8Array.from(b, (x, i) => (i === 3 ? x ^ 1 : x)) : b) } });
    const error = await w.clock.settle(w.driver.poll()).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(DeviceTimeoutError);
    expect(String(error)).toMatch(/3 NAK after 3 sends/);
  });
});

/** Status code → reading, checked against the spec's meaning rather than the driver's own table. */
const statusCases: [code: number, expected: Record<string, unknown>, zvt: Record<string, unknown>][] = [
  [0x00, { globalStatus: 'ok', cardReader: 'ok', locked: false, loggedOn: true }, { settlementRequired: false }],
  [0x51, { globalStatus: 'ok', locked: true, loggedOn: false }, {}],
  [0x62, { locked: true, loggedOn: true }, {}],
  [0x9c, { globalStatus: 'busy', cardReader: 'ok', locked: false }, {}],
  [0x9d, { globalStatus: 'ok', locked: false }, {}],
  [0xb1, { globalStatus: 'ok', locked: false }, { settlementRequired: true, settlementOverdue: true }],
  [0xb2, { globalStatus: 'ok', locked: false }, {}],
  [0xbf, { globalStatus: 'ok' }, { lowPower: true }],
  [0xc0, { cardReader: 'fault', locked: false }, {}],
  [0xc1, { locked: true, cardReader: 'ok' }, {}],
  [0xc2, { locked: true }, {}],
  [0xc4, { locked: true }, {}],
  [0xcc, { globalStatus: 'ok', locked: false }, { printerNotReady: true }],
  [0xdc, { globalStatus: 'busy', cardReader: 'ok', locked: false }, { cardInserted: true }],
  [0xdf, { globalStatus: 'maintenance', locked: true }, { outOfOrder: true }],
  [0xe0, { globalStatus: 'maintenance', locked: false }, {}],
  [0xe1, { globalStatus: 'busy', cardReader: 'ok' }, { cardInserted: true }],
  [0xe2, { cardReader: 'fault', globalStatus: 'ok' }, {}],
  [0xe3, { cardReader: 'fault' }, {}],
  [0xe4, { locked: true, loggedOn: false }, {}],
  [0xf0, { globalStatus: 'ok', locked: false, loggedOn: true }, { settlementRequired: true, settlementOverdue: true }],
  [0xf6, { locked: true }, {}],
  [0x77, { globalStatus: 'maintenance' }, { text: 'unknown terminal status 77' }],
];

describe('terminal status codes', () => {
  it.each(statusCases.map(([code, e, z]) => [code.toString(16).toUpperCase().padStart(2, '0'), code, e, z] as const))(
    'status %s maps to the reading',
    async (_hex, code, expected, zvt) => {
    const w = wire('tcp', { faults: { terminalStatus: code } });
    const r = await w.clock.settle(w.driver.poll());
    expect(r).toMatchObject(expected);
    expect(r.zvt).toMatchObject({ terminalStatus: code, ...zvt });
    },
  );

  it('leaves unknown what a lone status does not tell, when the terminal sends no lock bits', async () => {
    const w = wire('serial', { options: { statusEnquiryServiceByte: null }, faults: { terminalStatus: 0xcc } });
    const r = await w.clock.settle(w.driver.poll());
    expect(r).toMatchObject({ locked: null, loggedOn: null, tamper: null, cardReader: 'unknown' });
    expect(r.zvt).toMatchObject({ printerNotReady: true, lockBits: null });
    // the version came in the completion instead of the TLV
    expect(w.driver.identity().firmware).toBe('SIM-1.0.0');
  });
});

/** Lock bit (1F55, first byte high) → reading. */
const lockCases: [mask: number, name: string, expected: Record<string, unknown>, zvt: Record<string, unknown>][] = [
  [0x8000, 'reconciliation', { locked: true }, { settlementRequired: true }],
  [0x4000, 'initialisation', { locked: true, loggedOn: false }, {}],
  [0x2000, 'diagnosis', { locked: true, loggedOn: true }, {}],
  [0x1000, 'service', { locked: true }, {}],
  [0x0800, 'out_of_order', { locked: true, globalStatus: 'maintenance' }, { outOfOrder: true }],
  [0x0400, 'printer', { locked: true }, { printerNotReady: true }],
  [0x0200, 'start_up', { locked: true, loggedOn: false }, {}],
  [0x0100, 'secure_module_changed', { locked: true, tamper: true }, {}],
  [0x0080, 'transaction_log_defective', { locked: true }, {}],
  [0x0040, 'card_reader_not_found', { cardReader: 'fault', locked: false }, {}],
  [0x0020, 'card_inserted', { globalStatus: 'busy', cardReader: 'ok' }, { cardInserted: true }],
  [0x0010, 'secure_link_not_ready', { locked: true }, {}],
  [0x0008, 'activation_needed', { locked: true, loggedOn: false }, {}],
  [0x0004, 'low_battery', { locked: false }, { lowPower: true }],
  [0x0002, 'contactless_not_initialised', { cardReader: 'fault' }, {}],
  [0x0001, 'mdb_not_ready', { locked: true }, {}],
];

describe('lock bits (TLV 1F55)', () => {
  it.each(lockCases.map(([mask, n, e, z]) => [mask.toString(16).toUpperCase().padStart(4, '0'), n, mask, e, z] as const))(
    'bit %s (%s) maps to the reading',
    async (_hex, name, mask, expected, zvt) => {
    const w = wire('tcp', { faults: { lockBits: mask } });
    const r = await w.clock.settle(w.driver.poll());
    expect(r).toMatchObject({ power: 'online', ...expected });
    expect(r.zvt).toMatchObject({ lockBits: mask, locks: [name], ...zvt });
    },
  );

  it('reports several bits at once', async () => {
    const w = wire('tcp', { faults: { lockBits: 0x8041 } });
    const r = await w.clock.settle(w.driver.poll());
    expect(r.zvt.locks).toEqual(['reconciliation', 'card_reader_not_found', 'mdb_not_ready']);
    expect(r).toMatchObject({ locked: true, cardReader: 'fault' });
  });
});

describe('simulator conditions through the driver', () => {
  it.each([
    ['tamper', { tamper: true }, { tamper: true, locked: true }, { deviceState: 3 }],
    ['cardReaderFault', { cardReaderFault: true }, { cardReader: 'fault' }, { terminalStatus: 0xe2 }],
    ['loggedOff', { loggedOff: true }, { loggedOn: false, locked: true }, { terminalStatus: 0x51, deviceState: 1 }],
    [
      'lastSettlementAt 30 h ago',
      { lastSettlementAt: new Date(startTime - 30 * 3_600_000).toISOString() },
      { locked: true },
      { terminalStatus: 0xf0, settlementRequired: true, settlementOverdue: true },
    ],
  ] as const)('%s', async (_name, faults, expected, zvt) => {
    const w = wire('serial', { faults });
    const r = await w.clock.settle(w.driver.poll());
    expect(r).toMatchObject(expected);
    expect(r.zvt).toMatchObject(zvt);
  });

  it('calls a settlement overdue after settlementOverdueAfter even before the terminal asks', async () => {
    const w = wire('tcp', { options: { settlementOverdueAfter: '2h' }, faults: { autoEndOfDay: true } });
    expect((await w.clock.settle(w.driver.poll())).zvt.settlementOverdue).toBe(false);
    w.clock.time += 3 * 3_600_000;
    const r = await w.clock.settle(w.driver.poll());
    expect(r.zvt).toMatchObject({ settlementRequired: false, settlementOverdue: true });
  });
});

describe('never sends a state-changing command while polling', () => {
  it('whatever the terminal reports, polls write only 05 01, 80 00 and 84 83', async () => {
    const faults = fc.record({
      terminalStatus: fc.constantFrom(0x00, 0x51, 0x9c, 0xc2, 0xdc, 0xdf, 0xe2, 0xf0),
      lockBits: fc.integer({ min: 0, max: 0xffff }),
      tamper: fc.boolean(),
      loggedOff: fc.boolean(),
      autoEndOfDay: fc.boolean(),
      noise: fc.boolean(),
      mute: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<TransportFraming>('serial', 'tcp'), fc.array(faults, { minLength: 1, maxLength: 4 }), async (framing, rounds) => {
        const w = wire(framing);
        await w.clock.settle(w.driver.start());
        for (const f of rounds) {
          w.sim.setFaults(f);
          await w.clock.settle(w.driver.poll()).catch(() => undefined);
        }
        const commands = new Set(apdusIn(framing, w.written).map(apduName));
        for (const c of commands) expect(['05 01', '80 00', '84 83']).toContain(c);
      }),
      { seed: 7, numRuns: 40 },
    );
  });
});

/** A terminal that runs a fixed script in answer to each Status-Enquiry (TCP). */
function scripted(script: (send: (a: Apdu, atMs: number) => void) => void, options: Record<string, unknown> = {}) {
  const clock = new FakeClock();
  const listeners = new Set<(c: Uint8Array) => void>();
  const framer = createTcpFramer();
  const received: Apdu[] = [];
  const send = (a: Apdu, atMs: number) =>
    clock.schedule(atMs, () => {
      for (const l of listeners) l(encodeApdu(a));
    });
  const link: DeviceLink = {
    write(b) {
      for (const e of framer.push(b, clock.now())) {
        if (e.type !== 'apdu') continue;
        received.push(e.apdu);
        if (e.apdu.cls === 0x05) script(send);
      }
      return Promise.resolve();
    },
    onData(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  const driver = createZvtDriver({
    framing: 'tcp',
    link,
    options: zvtOptionsSchema.parse(options),
    requestTimeoutMs: 1_000,
    log: recordingLog([]),
    onUnsolicitedReading: () => undefined,
    now: clock.now,
    schedule: clock.schedule,
  });
  return { clock, driver, received };
}

const ok = { cls: 0x80, ins: 0x00, data: new Uint8Array() };

describe('exchange details (scripted terminal)', () => {
  it('honours the new T4 a 04 FF carries', async () => {
    const t = scripted((send) => {
      send(ok, 0);
      send(intermediateStatus(0x0e, 2), 10); // please wait, T4 = 2 minutes
      send(statusEnquiryCompletion(0x00, null, null), 90_000);
    }, { completionTimeout: '30s' });
    expect((await t.clock.settle(t.driver.poll())).globalStatus).toBe('ok');
    expect(t.received.map(apduName)).toEqual(['05 01', '80 00', '80 00']);
  });

  it('times out on T4 when the completion never comes, restarted by each 04 FF', async () => {
    const t = scripted((send) => {
      send(ok, 0);
      send(intermediateStatus(0x17), 20_000);
    }, { completionTimeout: '30s' });
    const error = await t.clock.settle(t.driver.poll()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeviceTimeoutError);
    expect((error as DeviceTimeoutError).timeoutMs).toBe(30_000);
    expect(t.clock.time - startTime).toBe(50_000);
  });

  it('answers an unknown terminal command with 84 83 00 and keeps waiting', async () => {
    const t = scripted((send) => {
      send(ok, 0);
      send({ cls: 0x06, ins: 0x55, data: Uint8Array.of(1) }, 5);
      send(statusEnquiryCompletion(0xe0, null, null), 10);
    });
    expect((await t.clock.settle(t.driver.poll())).globalStatus).toBe('maintenance');
    expect(t.received.map(apduName)).toEqual(['05 01', '84 83', '80 00']);
  });

  it('takes a completion that arrives without 80 00 first', async () => {
    const t = scripted((send) => send(statusEnquiryCompletion(0x00, null, null), 0));
    expect((await t.clock.settle(t.driver.poll())).globalStatus).toBe('ok');
  });

  it('rejects with ZvtCommandError when the terminal refuses with a code that is no terminal state', async () => {
    const t = scripted((send) => send({ cls: 0x84, ins: 0x83, data: new Uint8Array() }, 0));
    const error = await t.clock.settle(t.driver.poll()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZvtCommandError);
    expect(String(error)).toMatch(/84|83/);
  });

  it('reads "not registered" (84 6B) as not logged on', async () => {
    const t = scripted((send) => send({ cls: 0x84, ins: 0x6b, data: new Uint8Array() }, 0));
    expect(await t.clock.settle(t.driver.poll())).toMatchObject({ loggedOn: false, globalStatus: 'ok', locked: null });
  });

  it('reads an abort (06 1E) of the Status-Enquiry with a state code', async () => {
    const t = scripted((send) => {
      send(ok, 0);
      send({ cls: 0x06, ins: 0x1e, data: Uint8Array.of(0xe2) }, 5);
    });
    expect(await t.clock.settle(t.driver.poll())).toMatchObject({ cardReader: 'fault' });
  });

  it('times out on T3 when only a partial APDU arrives', async () => {
    const t = scripted((send) => send({ cls: 0x80, ins: 0x00, data: new Uint8Array() }, 99_999));
    await expect(t.clock.settle(t.driver.poll())).rejects.toBeInstanceOf(DeviceTimeoutError);
  });
});

describe('options', () => {
  it('has safe defaults', () => {
    expect(zvtOptionsSchema.parse({})).toEqual({
      password: '000000',
      statusEnquiryServiceByte: 6,
      identify: true,
      completionTimeout: '180s',
      settlementOverdueAfter: '26h',
      transactionsFailingAfter: 3,
      allowStateChanging: false,
      registrationConfigByte: 8,
    });
  });

  it('rejects unknown keys, bad passwords and bad durations', () => {
    expect(zvtOptionsSchema.safeParse({ pasword: '123456' }).success).toBe(false);
    expect(zvtOptionsSchema.safeParse({ password: '12345' }).success).toBe(false);
    expect(zvtOptionsSchema.safeParse({ settlementOverdueAfter: '1 day' }).success).toBe(false);
  });

  it('describes every option', () => {
    for (const [key, schema] of Object.entries(zvtOptionsSchema.shape)) {
      expect(schema.description?.length ?? 0, key).toBeGreaterThan(40);
    }
  });
});
