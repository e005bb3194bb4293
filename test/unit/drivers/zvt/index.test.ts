import { describe, expect, it } from 'vitest';
import type { DriverDefinition } from '../../../../drivers/index.js';
import { zvt, type ZvtFaults, type ZvtOptions } from '../../../../drivers/zvt/index.js';
import { apdusIn, FakeClock } from './harness.js';
import { statusEnquiry } from '../../../../drivers/zvt/commands.js';
import { encodeApdu } from '../../../../drivers/zvt/apdu.js';
import { encodeSerialBlock } from '../../../../drivers/zvt/serial-framing.js';

describe('zvt definition', () => {
  it('fits the shared DriverDefinition shape', () => {
    const definition: DriverDefinition<ZvtOptions, ZvtFaults> = zvt;
    expect(definition.name).toBe('zvt');
    expect(definition.summary.length).toBeGreaterThan(20);
  });

  it('lists exactly the simulator fault names', () => {
    const sim = zvt.createSimulator({ transport: 'tcp', send: () => undefined, schedule: new FakeClock().schedule });
    expect([...zvt.faultNames].sort()).toEqual(Object.keys(sim.faults()).sort());
  });

  it('validates options with defaults', () => {
    expect(zvt.optionsSchema.parse({}).allowStateChanging).toBe(false);
  });

  it('builds a simulator that answers over the framing it is given', () => {
    const out: Uint8Array[] = [];
    const sim = zvt.createSimulator({ transport: 'tcp', send: (b) => out.push(b), schedule: new FakeClock().schedule });
    sim.receive(encodeApdu(statusEnquiry('000000', 6)));
    expect(apdusIn('tcp', out).map((a) => a.cls)).toEqual([0x80]);
  });
});

describe('framing', () => {
  it('is required: a missing transport fails loudly instead of defaulting', () => {
    const clock = new FakeClock();
    expect(() => zvt.createSimulator({ send: () => undefined, schedule: clock.schedule } as never)).toThrow(/framing 'serial' or 'tcp'/);
    expect(() =>
      zvt.createDriver({
        link: { write: () => Promise.resolve(), onData: () => () => undefined },
        options: zvt.optionsSchema.parse({}),
        requestTimeoutMs: 1000,
        log: { debug: () => undefined, info: () => undefined, warn: () => undefined },
        onUnsolicitedReading: () => undefined,
        now: clock.now,
      } as never),
    ).toThrow(/framing/);
  });
});

describe('transport', () => {
  it('gives the simulator serial framing on a serial line: an ACK, then a DLE STX block', () => {
    const out: Uint8Array[] = [];
    const sim = zvt.createSimulator({ transport: 'serial', send: (b) => out.push(b), schedule: new FakeClock().schedule });
    sim.receive(encodeSerialBlock(encodeApdu(statusEnquiry('000000', 6))));
    const bytes = Buffer.concat(out);
    expect(bytes[0]).toBe(0x06);
    expect([...bytes.subarray(1, 3)]).toEqual([0x10, 0x02]);
    expect(apdusIn('serial', out).map((a) => a.cls)).toEqual([0x80]);
  });
});
