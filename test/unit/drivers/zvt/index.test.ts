import { describe, expect, it } from 'vitest';
import type { DriverDefinition } from '../../../../drivers/index.js';
import { zvt, type ZvtFaults, type ZvtOptions } from '../../../../drivers/zvt/index.js';
import { apdusIn, FakeClock } from './harness.js';
import { statusEnquiry } from '../../../../drivers/zvt/commands.js';
import { encodeApdu } from '../../../../drivers/zvt/apdu.js';

describe('zvt definition', () => {
  it('fits the shared DriverDefinition shape (framing still has to be passed in)', () => {
    const definition: DriverDefinition<ZvtOptions, ZvtFaults> = zvt;
    expect(definition.name).toBe('zvt');
    expect(definition.summary.length).toBeGreaterThan(20);
  });

  it('lists exactly the simulator fault names', () => {
    const sim = zvt.createSimulator({ framing: 'tcp', send: () => undefined, schedule: new FakeClock().schedule });
    expect([...zvt.faultNames].sort()).toEqual(Object.keys(sim.faults()).sort());
  });

  it('validates options with defaults', () => {
    expect(zvt.optionsSchema.parse({}).allowStateChanging).toBe(false);
  });

  it('builds a simulator that answers over the framing it is given', () => {
    const out: Uint8Array[] = [];
    const sim = zvt.createSimulator({ framing: 'tcp', send: (b) => out.push(b), schedule: new FakeClock().schedule });
    sim.receive(encodeApdu(statusEnquiry('000000', 6)));
    expect(apdusIn('tcp', out).map((a) => a.cls)).toEqual([0x80]);
  });
});

describe('framing', () => {
  it('is required: a missing framing fails loudly instead of defaulting', () => {
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
