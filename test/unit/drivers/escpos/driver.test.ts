import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createEscposDriver, DriverStoppedError, IDENTITY_RETRY_INTERVAL_MS } from '../../../../drivers/escpos/driver.js';
import type { EscposOptions } from '../../../../drivers/escpos/options.js';
import { createEscposSimulator, type EscposFaults } from '../../../../drivers/escpos/simulator.js';
import { DeviceTimeoutError, type DeviceLink, type DeviceReading } from '../../../../drivers/model.js';

// The driver over an in-memory link wired to the simulator. Fake timers drive both the driver's
// request timeouts and the simulator's slowMs, so every timing case is exact.

const TIMEOUT_MS = 50;

/** A scripted device instead of the simulator, for behaviour the simulator never shows. */
type Script = (bytes: Uint8Array) => Uint8Array | null;

function setup(options: Partial<EscposOptions> = {}, script?: Script) {
  const listeners = new Set<(chunk: Uint8Array) => void>();
  const deliver = (bytes: Uint8Array) => {
    for (const listener of [...listeners]) listener(bytes);
  };
  const sim = createEscposSimulator({
    transport: 'serial',
    send: deliver,
    schedule: (delayMs, fn) => {
      const timer = setTimeout(fn, delayMs);
      return { cancel: () => clearTimeout(timer) };
    },
  });
  const written: number[][] = [];
  const link: DeviceLink = {
    async write(bytes) {
      written.push([...bytes]);
      if (!script) sim.receive(bytes);
      else {
        const reply = script(bytes);
        if (reply) deliver(reply);
      }
    },
    onData(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
  const unsolicited: DeviceReading[] = [];
  const log = { debug: vi.fn(), info: vi.fn(), warn: vi.fn() };
  const driver = createEscposDriver({
    link,
    transport: 'serial',
    options: { asb: false, identify: false, ...options },
    requestTimeoutMs: TIMEOUT_MS,
    log,
    onUnsolicitedReading: (reading) => unsolicited.push(reading),
    now: () => Date.now(),
  });
  return { sim, driver, written, unsolicited, listeners, log };
}

/** Starts an operation that will need timers to move, and returns its settled outcome. */
async function settle<T>(promise: Promise<T>, advanceMs: number): Promise<{ value?: T; error?: unknown }> {
  const outcome = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await vi.advanceTimersByTimeAsync(advanceMs);
  return outcome;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ESC/POS driver', () => {
  it('reads a healthy printer with one DLE EOT burst', async () => {
    const { driver, written } = setup();
    await driver.start();
    const reading = await driver.poll();
    expect(reading).toMatchObject({ power: 'online', globalStatus: 'ok', printer: { status: 'ok', offline: false }, cardReader: null });
    expect(written).toEqual([[0x10, 0x04, 0x01, 0x10, 0x04, 0x02, 0x10, 0x04, 0x03, 0x10, 0x04, 0x04]]);
  });

  it.each<[Partial<EscposFaults>, Partial<DeviceReading>, Record<string, unknown>]>([
    [{ paperLow: true }, { power: 'online', globalStatus: 'ok' }, { status: 'paper_low', paperLow: true }],
    [{ paperOut: true }, { power: 'offline', globalStatus: 'maintenance' }, { status: 'no_paper', paperOut: true, offline: true }],
    [{ coverOpen: true }, { power: 'offline', globalStatus: 'maintenance' }, { status: 'ok', coverOpen: true, offline: true }],
    [{ cutterError: true }, { power: 'offline', globalStatus: 'maintenance' }, { status: 'paper_jam', cutterError: true }],
    [{ unrecoverableError: true }, { power: 'offline', globalStatus: 'maintenance' }, { status: 'out_of_order', unrecoverableError: true }],
    [{ overheated: true }, { power: 'offline', globalStatus: 'maintenance' }, { status: 'ok', autoRecoverableError: true }],
    [{ garbage: true, paperLow: true }, { power: 'online' }, { status: 'paper_low' }],
  ])('maps %j', async (faults, reading, printer) => {
    const { sim, driver } = setup();
    sim.setFaults(faults);
    await driver.start();
    const result = await driver.poll();
    expect(result).toMatchObject(reading);
    expect(result.printer).toMatchObject(printer);
  });

  it('rejects with DeviceTimeoutError naming DLE EOT 1 when the printer is mute, and recovers', async () => {
    const { sim, driver } = setup();
    sim.setFaults({ mute: true });
    await driver.start();
    const { error } = await settle(driver.poll(), TIMEOUT_MS);
    expect(error).toBeInstanceOf(DeviceTimeoutError);
    expect(error).toMatchObject({ request: 'DLE EOT 1', timeoutMs: TIMEOUT_MS });
    sim.setFaults({ mute: false });
    const { value } = await settle(driver.poll(), TIMEOUT_MS);
    expect(value?.power).toBe('online');
  });

  it('names the request that went unanswered', async () => {
    // A device that answers only the first two status requests of a burst.
    const { driver } = setup({}, (bytes) => (bytes[0] === 0x10 ? Uint8Array.of(0x12, 0x12) : null));
    await driver.start();
    const { error } = await settle(driver.poll(), TIMEOUT_MS);
    expect(error).toMatchObject({ name: 'DeviceTimeoutError', request: 'DLE EOT 3' });
  });

  it('reads the identity with GS I 66, 67, 68, 65, one request at a time', async () => {
    const { driver, written } = setup({ identify: true });
    await driver.start();
    expect(driver.identity()).toEqual({ manufacturer: 'POSDIAG', model: 'SIM-T80 (simulated)', serial: 'SIM0001', firmware: '1.00-sim' });
    expect(written).toEqual([
      [0x1d, 0x49, 66],
      [0x1d, 0x49, 67],
      [0x1d, 0x49, 68],
      [0x1d, 0x49, 65],
    ]);
  });

  it('leaves the identity null while paper out, and reads it at a later poll once online', async () => {
    const { sim, driver, written } = setup({ identify: true });
    sim.setFaults({ paperOut: true });
    const started = await settle(driver.start(), TIMEOUT_MS);
    expect(started.error).toBeUndefined();
    expect(driver.identity()).toEqual({ manufacturer: null, model: null, serial: null, firmware: null });
    expect(written).toEqual([[0x1d, 0x49, 66]]); // stopped at the first unanswered request

    await vi.advanceTimersByTimeAsync(IDENTITY_RETRY_INTERVAL_MS);
    expect((await driver.poll()).printer?.status).toBe('no_paper');
    expect(written).toHaveLength(2); // offline: no identity retry

    // Paper loaded: the printer now runs the GS I 66 it held; that late block must be skipped.
    sim.setFaults({ paperOut: false });
    expect((await driver.poll()).power).toBe('online');
    expect(driver.identity()).toEqual({ manufacturer: 'POSDIAG', model: 'SIM-T80 (simulated)', serial: 'SIM0001', firmware: '1.00-sim' });
  });

  it('retries the identity at most once per interval while it stays unanswered', async () => {
    const { driver, written } = setup({ identify: true }, (bytes) => (bytes[0] === 0x10 ? Uint8Array.of(0x12, 0x12, 0x12, 0x12) : null));
    await settle(driver.start(), TIMEOUT_MS);
    await settle(driver.poll(), TIMEOUT_MS);
    expect(written.filter((w) => w[0] === 0x1d)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(IDENTITY_RETRY_INTERVAL_MS);
    const { value } = await settle(driver.poll(), TIMEOUT_MS);
    expect(value?.power).toBe('online');
    expect(written.filter((w) => w[0] === 0x1d)).toHaveLength(2);
    expect(driver.identity().manufacturer).toBeNull();
  });

  it('enables ASB with GS a 0x0F and passes each automatic status on', async () => {
    const { sim, driver, written, unsolicited } = setup({ asb: true });
    await driver.start();
    expect(written[0]).toEqual([0x1d, 0x61, 0x0f]);
    expect(unsolicited).toHaveLength(1);
    expect(unsolicited[0]).toMatchObject({ power: 'online', printer: { status: 'ok' } });

    sim.setFaults({ coverOpen: true });
    expect(unsolicited).toHaveLength(2);
    expect(unsolicited[1]).toMatchObject({ power: 'offline', globalStatus: 'maintenance', printer: { coverOpen: true } });

    // Polling goes on beside ASB, and the two kinds of reply are not confused.
    expect((await driver.poll()).printer).toMatchObject({ coverOpen: true });
    expect(unsolicited).toHaveLength(2);
  });

  it('does not take a late reply to a timed-out poll for the next poll', async () => {
    const { sim, driver } = setup();
    await driver.start();
    sim.setFaults({ slowMs: 80 }); // replies come after the 50 ms timeout
    const first = await settle(driver.poll(), TIMEOUT_MS);
    expect(first.error).toBeInstanceOf(DeviceTimeoutError);

    // Paper runs out, and the printer gets faster. The all-OK replies to the first poll are
    // still on their way (due at 80 ms) when the next poll starts (at 50 ms).
    sim.setFaults({ slowMs: 40, paperOut: true });
    const second = await settle(driver.poll(), 200);
    expect(second.value?.printer).toMatchObject({ status: 'no_paper', paperOut: true });
  });

  it('shares one round between overlapping polls', async () => {
    const { sim, driver, written } = setup();
    sim.setFaults({ slowMs: 10 });
    await driver.start();
    const a = driver.poll();
    const b = driver.poll();
    await vi.advanceTimersByTimeAsync(10);
    expect(await a).toEqual(await b);
    expect(written).toHaveLength(1);
  });

  it('rejects pending waits on stop() and unsubscribes from the link', async () => {
    const { sim, driver, listeners } = setup();
    sim.setFaults({ slowMs: 20 });
    await driver.start();
    const pending = driver.poll().catch((error: unknown) => error);
    expect(listeners.size).toBe(1);
    driver.stop();
    expect(await pending).toBeInstanceOf(DriverStoppedError);
    expect(listeners.size).toBe(0);
    await vi.advanceTimersByTimeAsync(100); // late replies go nowhere, no timer fires
  });

  it('rejects with the link error when a write fails, and can poll again', async () => {
    let broken = true;
    const { driver } = setup({}, () => {
      if (broken) throw new Error('EIO');
      return Uint8Array.of(0x12, 0x12, 0x12, 0x1e);
    });
    await expect(driver.poll()).rejects.toThrow('EIO');
    broken = false;
    expect((await driver.poll()).printer?.status).toBe('paper_low');
  });
});
