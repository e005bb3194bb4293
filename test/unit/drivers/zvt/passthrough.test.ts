import { describe, expect, it } from 'vitest';
import type { DeviceLink, LineObservation, PassthroughWatch } from '../../../../drivers/model.js';
import { apduName } from '../../../../drivers/zvt/apdu.js';
import { abortCommand, authorisation, endOfDay } from '../../../../drivers/zvt/commands.js';
import type { TransportFraming } from '../../../../drivers/zvt/codec.js';
import { createZvtDriver } from '../../../../drivers/zvt/driver.js';
import { zvtOptionsSchema } from '../../../../drivers/zvt/options.js';
import { createZvtPassthroughWatch } from '../../../../drivers/zvt/passthrough.js';
import { createZvtSimulator } from '../../../../drivers/zvt/simulator.js';
import type { ZvtFaults } from '../../../../drivers/zvt/simulator-faults.js';
import { FakeClock, Till } from './harness.js';

/**
 * Till ⇄ watch ⇄ terminal simulator, with the agent's driver on the same watch: every byte goes
 * through the watch in line order, as in the proxy, and the terminal's bytes go where it routes them.
 */
function shared(framing: TransportFraming, faults: Partial<ZvtFaults> = {}) {
  const clock = new FakeClock();
  const watch: PassthroughWatch = createZvtPassthroughWatch({ transport: framing, options: {}, requestTimeoutMs: 1_000 });
  const agentListeners = new Set<(b: Uint8Array) => void>();
  const toTill: Uint8Array[] = [];
  const toAgent: Uint8Array[] = [];
  let till: Till | null = null;
  const sim = createZvtSimulator({
    framing,
    now: clock.now,
    schedule: clock.schedule,
    send: (b) => {
      const copy = b.slice();
      clock.schedule(0, () => {
        for (const run of watch.fromDevice(copy, clock.now())) {
          if (run.to === 'till') {
            toTill.push(run.bytes);
            till?.layer.receive(run.bytes);
          } else {
            toAgent.push(run.bytes);
            for (const l of agentListeners) l(run.bytes);
          }
        }
      });
    },
  });
  sim.setFaults(faults);
  till = new Till(framing, clock, (b) => {
    watch.toDevice('till', b, clock.now());
    sim.receive(b);
  });
  const agentLink: DeviceLink = {
    write(b) {
      const copy = b.slice();
      watch.toDevice('agent', copy, clock.now());
      clock.schedule(0, () => sim.receive(copy));
      return Promise.resolve();
    },
    onData(listener) {
      agentListeners.add(listener);
      return () => agentListeners.delete(listener);
    },
  };
  const driver = createZvtDriver({
    framing,
    link: agentLink,
    options: zvtOptionsSchema.parse({ identify: false }),
    requestTimeoutMs: 1_000,
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined },
    onUnsolicitedReading: () => undefined,
    now: clock.now,
    schedule: clock.schedule,
    sharedWithTill: true,
  });
  const observations: LineObservation[] = [];
  const drain = () => {
    observations.push(...watch.drain());
    return observations;
  };
  return { clock, watch, sim, till, driver, toTill, toAgent, drain };
}

describe.each<TransportFraming>(['serial', 'tcp'])('ZVT passthrough watch over %s', (framing) => {
  it('sees a payment from command to the last acknowledgement, and reports it approved', async () => {
    const s = shared(framing, { paymentDelayMs: 200 });
    expect(s.watch.idle(s.clock.now())).toBe(true);
    const done = s.till.run(authorisation(1_250));
    await s.clock.advance(50);
    expect(s.watch.idle(s.clock.now())).toBe(false);
    expect(s.watch.activity()).toBe('till: payment 06 01');
    const received = await s.clock.settle(done);
    expect(received.map(apduName)).toContain('06 0F');
    await s.clock.advance(10); // serial: the terminal's ACK of the till's last 80 00
    expect(s.watch.idle(s.clock.now())).toBe(true);
    expect(s.watch.activity()).toBeNull();
    expect(s.drain()).toEqual([expect.objectContaining({ type: 'transaction', kind: 'payment', outcome: 'approved', resultCode: 0 })]);
    expect(s.toAgent).toHaveLength(0);
  });

  it('is not idle between the till command and its completion, at any step', async () => {
    const s = shared(framing, { paymentDelayMs: 300 });
    const done = s.till.run(authorisation(999));
    let finished = false;
    void done.then(() => (finished = true));
    const idleWhileRunning: number[] = [];
    for (let step = 0; step < 200 && !finished; step++) {
      await s.clock.advance(5);
      if (!finished && s.watch.idle(s.clock.now())) idleWhileRunning.push(s.clock.now());
    }
    expect(finished).toBe(true);
    expect(idleWhileRunning).toEqual([]);
  });

  it('reports declines with their result code, and counts nothing for the agent', async () => {
    const s = shared(framing, { declineEvery: 1, declineResultCode: 0x05 });
    await s.clock.settle(s.till.run(authorisation(100)));
    await s.clock.advance(10);
    expect(s.drain()).toEqual([expect.objectContaining({ type: 'transaction', outcome: 'declined', resultCode: 0x05 })]);
  });

  it('reports a payment the terminal refuses (84 xx) as refused', async () => {
    const s = shared(framing, { loggedOff: true });
    await s.clock.settle(s.till.run(authorisation(100)));
    await s.clock.advance(10);
    const [t] = s.drain();
    expect(t).toMatchObject({ type: 'transaction', kind: 'payment' });
    expect(['refused', 'declined']).toContain((t as { outcome: string }).outcome);
    expect((t as { resultCode: number }).resultCode).toBe(0x6b);
  });

  it('reads the settlement time of an end-of-day the till runs', async () => {
    const s = shared(framing);
    await s.clock.settle(s.till.run(endOfDay('000000')));
    await s.clock.advance(10);
    const eod = s.drain().find((o) => o.type === 'end-of-day');
    expect(eod).toMatchObject({ type: 'end-of-day', ok: true });
    expect(Math.abs((eod as { at: number }).at - s.clock.now())).toBeLessThan(24 * 3_600_000);
  });

  it('routes the terminal\'s answers to the agent\'s Status-Enquiry to the agent only', async () => {
    const s = shared(framing);
    const reading = await s.clock.settle(s.driver.poll());
    await s.clock.advance(10);
    expect(reading.globalStatus).toBe('ok');
    expect(s.toTill).toHaveLength(0);
    expect(s.toAgent.length).toBeGreaterThan(0);
    expect(s.watch.idle(s.clock.now())).toBe(true);
    expect(s.drain()).toEqual([]);
  });

  it('routes the terminal\'s answers to the till after an agent exchange, and back', async () => {
    const s = shared(framing);
    await s.clock.settle(s.driver.poll());
    await s.clock.advance(10);
    const received = await s.clock.settle(s.till.run(authorisation(500)));
    await s.clock.advance(10);
    expect(received.map(apduName)).toEqual(expect.arrayContaining(['80 00', '06 0F']));
    const agentBytesBefore = s.toAgent.length;
    await s.clock.settle(s.driver.poll());
    await s.clock.advance(10);
    expect(s.toAgent.length).toBeGreaterThan(agentBytesBefore);
    expect(s.drain().map((o) => o.type)).toEqual(['transaction']);
  });

  it('forgets an exchange the peers gave up on (T3 passed without an answer)', async () => {
    const s = shared(framing, { mute: true });
    void s.till.run(authorisation(100));
    await s.clock.advance(100);
    expect(s.watch.idle(s.clock.now())).toBe(false);
    await s.clock.advance(20_000);
    expect(s.watch.idle(s.clock.now())).toBe(true);
    expect(s.drain()).toEqual([expect.objectContaining({ type: 'transaction', outcome: 'no-completion' })]);
  });

  it('keeps the payment when the till aborts it (06 B0): the abort ends with the payment', async () => {
    const s = shared(framing, { paymentDelayMs: 2_000 });
    const payment = s.till.run(authorisation(100));
    await s.clock.advance(100);
    void s.till.layer.send(abortCommand()).catch(() => undefined);
    await s.clock.settle(payment);
    await s.clock.advance(10);
    const [t] = s.drain();
    expect(t).toMatchObject({ type: 'transaction', kind: 'payment' });
    expect(s.watch.idle(s.clock.now())).toBe(true);
  });

  it('a link reset ends a running till payment as no-completion', async () => {
    const s = shared(framing, { paymentDelayMs: 5_000 });
    void s.till.run(authorisation(100));
    await s.clock.advance(100);
    s.watch.reset();
    expect(s.watch.idle(s.clock.now())).toBe(true);
    expect(s.drain()).toEqual([expect.objectContaining({ type: 'transaction', outcome: 'no-completion' })]);
  });
});
