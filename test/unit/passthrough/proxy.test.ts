import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createEscposPassthroughWatch } from '../../../drivers/escpos/passthrough.js';
import type { LineObservation } from '../../../drivers/model.js';
import { PassthroughProxy, ReservationAbortedError } from '../../../src/passthrough/proxy.js';
import type { TillPort } from '../../../src/passthrough/till-port.js';
import { memoryLinkPair } from '../../../src/transport/memory.js';
import { DataListeners } from '../../../src/transport/link.js';

/** The till's side in memory: what the test "types" as the till, and what the till received. */
function memoryTill() {
  const listeners = new DataListeners();
  const received: number[] = [];
  let deviceAvailable: boolean | null = null;
  const port: TillPort = {
    description: 'memory:till',
    connected: () => null,
    onData: (l) => listeners.add(l),
    write: (bytes) => received.push(...bytes),
    deviceAvailable: (a) => {
      deviceAvailable = a;
    },
    dropTill: () => undefined,
    close: () => Promise.resolve(),
  };
  return {
    port,
    received,
    available: () => deviceAvailable,
    send: (...bytes: number[]) => listeners.emit(Uint8Array.from(bytes), (e) => {
      throw e;
    }),
  };
}

function setup(idleGapMs = 0) {
  const till = memoryTill();
  const [host, device] = memoryLinkPair('printer', (e) => {
    throw e;
  });
  const atDevice: number[] = [];
  const arrived = new Set<() => void>();
  device.onData((chunk) => {
    atDevice.push(...chunk);
    for (const wake of arrived) wake();
  });
  const observations: LineObservation[] = [];
  const proxy = new PassthroughProxy({
    watch: createEscposPassthroughWatch({ transport: 'serial', options: {}, requestTimeoutMs: 200 }),
    till: till.port,
    idleGapMs,
    releaseLimitMs: 500,
    log: pino({ level: 'silent' }),
    onObservation: (o) => observations.push(o),
  });
  proxy.attach(host);
  /** Resolves once the device has received at least n bytes. */
  const deviceGot = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (atDevice.length < n) return;
        arrived.delete(check);
        resolve();
      };
      arrived.add(check);
      check();
    });
  return { till, host, device, atDevice, deviceGot, proxy, observations };
}

const text = (s: string) => [...Buffer.from(s)];

describe('passthrough proxy', () => {
  it('forwards the till\'s bytes to the device and the device\'s to the till, unchanged and in order', async () => {
    const s = setup();
    const job = [0x1b, 0x40, ...text('Hello'), 0x0a, 0x1d, 0x56, 0x42, 0x00];
    s.till.send(...job.slice(0, 4));
    s.till.send(...job.slice(4));
    await s.deviceGot(job.length);
    expect(s.atDevice).toEqual(job);
    await s.device.write(Uint8Array.of(0x10, 0x00, 0x00, 0x0f)); // an ASB message
    await new Promise((r) => setImmediate(r));
    expect(s.till.received).toEqual([0x10, 0x00, 0x00, 0x0f]);
    expect(s.observations).toEqual([expect.objectContaining({ type: 'receipt' })]);
    expect(s.proxy.counters).toMatchObject({ tillToDevice: job.length, deviceToTill: 4, tillBytesDropped: 0 });
  });

  it('holds the till\'s bytes during the agent\'s turn and sends them, in order, right after it', async () => {
    const s = setup();
    const lease = await s.proxy.reserve(new AbortController().signal);
    const answers = new Promise<number[]>((resolve) => {
      const got: number[] = [];
      s.proxy.agentLink.onData((chunk) => {
        got.push(...chunk);
        if (got.length === 4) resolve(got);
      });
    });
    await s.proxy.agentLink.write(Uint8Array.of(0x10, 0x04, 0x01, 0x10, 0x04, 0x02, 0x10, 0x04, 0x03, 0x10, 0x04, 0x04));
    s.till.send(...text('AB'));
    s.till.send(0x0a);
    await s.deviceGot(12);
    expect(s.atDevice).toHaveLength(12); // the till's bytes wait
    await s.device.write(Uint8Array.of(0x16, 0x12, 0x12, 0x12));
    expect(await answers).toEqual([0x16, 0x12, 0x12, 0x12]);
    await lease.release(false);
    await s.deviceGot(15);
    expect(s.atDevice.slice(12)).toEqual([...text('AB'), 0x0a]);
    expect(s.till.received).toEqual([]); // the agent's answers never reached the till
    expect(s.proxy.counters).toMatchObject({ leases: 1, heldChunks: 2 });
  });

  it('tells the status page when the watch lets go of an exchange without any traffic (a till gone mid-command)', async () => {
    let clock = 0;
    const till = memoryTill();
    const [host] = memoryLinkPair('printer', (e) => {
      throw e;
    });
    const activities: (string | null)[] = [];
    const proxy = new PassthroughProxy({
      watch: createEscposPassthroughWatch({ transport: 'serial', options: {}, requestTimeoutMs: 200 }),
      till: till.port,
      idleGapMs: 0,
      releaseLimitMs: 500,
      log: pino({ level: 'silent' }),
      now: () => clock,
      onObservation: () => undefined,
      onActivity: (a) => activities.push(a),
    });
    proxy.attach(host);
    till.send(0x1d, 0x56, 0x42); // a cut without its last parameter byte, and then nothing
    expect(activities).toEqual(['till: printing']);
    const turn = proxy.reserve(new AbortController().signal);
    clock = 6_000; // past the 5 s after which a silent till inside a command counts as gone
    const lease = await turn;
    expect(activities).toEqual(['till: printing', null]);
    await lease.release(false);
  });

  it('refuses an agent write outside its turn', async () => {
    const s = setup();
    await expect(s.proxy.agentLink.write(Uint8Array.of(0x10, 0x04, 0x01))).rejects.toThrow(/outside its turn/);
    expect(s.atDevice).toEqual([]);
  });

  it('lets the agent in only once the till is at a command boundary and quiet', async () => {
    const s = setup(20);
    s.till.send(0x1d, 0x76, 0x30, 0x00, 0x01, 0x00, 0x02, 0x00, 0xff); // a raster image, one data byte short
    let leased = false;
    const reserved = s.proxy.reserve(new AbortController().signal).then((lease) => {
      leased = true;
      return lease;
    });
    await s.deviceGot(9);
    await new Promise((r) => setTimeout(r, 60));
    expect(leased).toBe(false); // well past the idle gap, but inside the image
    s.till.send(0xff);
    const lease = await reserved;
    expect(s.atDevice).toHaveLength(10);
    await lease.release(false);
  });

  it('without the device, the till\'s bytes are dropped and counted, and a waiting agent turn is called off', async () => {
    const s = setup();
    s.proxy.detach();
    expect(s.till.available()).toBe(false);
    s.till.send(...text('lost'));
    expect(s.proxy.counters).toMatchObject({ tillToDevice: 4, tillBytesDropped: 4 });
    const controller = new AbortController();
    const waiting = s.proxy.reserve(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(ReservationAbortedError);
  });
});
