/**
 * Test wiring for the ZVT driver and simulator: a fake clock that doubles as the scheduler, an
 * in-memory DeviceLink, and a minimal till (ECR) that can run a payment or an end-of-day.
 * Nothing here waits on real time: `settle` jumps the clock from one timer to the next.
 */
import type { DeviceLink, DriverLog } from '../../../../drivers/model.js';
import { type Apdu, decodeApdu } from '../../../../drivers/zvt/apdu.js';
import { positiveReply } from '../../../../drivers/zvt/commands.js';
import { createZvtDriver, type ZvtDriver } from '../../../../drivers/zvt/driver.js';
import { createFramer, type TransportFraming } from '../../../../drivers/zvt/codec.js';
import { createLinkLayer, type LinkLayer } from '../../../../drivers/zvt/link-layer.js';
import { zvtOptionsSchema } from '../../../../drivers/zvt/options.js';
import { createZvtSimulator, type ZvtFaults } from '../../../../drivers/zvt/simulator.js';
import type { Simulator } from '../../../../drivers/model.js';

/** 2025-03-14 09:30:00 UTC: a fixed "now" so dates in messages are reproducible. */
export const startTime = Date.UTC(2025, 2, 14, 9, 30, 0);

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export class FakeClock {
  time: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start = startTime) {
    this.time = start;
  }

  now = (): number => this.time;

  schedule = (delayMs: number, fn: () => void): { cancel(): void } => {
    const timer: Timer = { at: this.time + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  };

  private takeNext(limit: number): Timer | null {
    this.timers = this.timers.filter((t) => !t.cancelled);
    let best: Timer | null = null;
    for (const t of this.timers) if (t.at <= limit && (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq))) best = t;
    if (best) this.timers.splice(this.timers.indexOf(best), 1);
    return best;
  }

  /** Runs every timer due within `ms` from now, in order, letting promises settle between. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    await flush();
    for (let t = this.takeNext(end); t; t = this.takeNext(end)) {
      this.time = Math.max(this.time, t.at);
      t.fn();
      await flush();
    }
    this.time = end;
  }

  /** Runs timers in order until `promise` settles; fails if nothing is left to run. */
  async settle<T>(promise: Promise<T>, limitMs = 3_600_000): Promise<T> {
    let state: { done: false } | { done: true; ok: boolean; value: unknown } = { done: false };
    promise.then(
      (value) => (state = { done: true, ok: true, value }),
      (value: unknown) => (state = { done: true, ok: false, value }),
    );
    const end = this.time + limitMs;
    await flush();
    while (!state.done) {
      const t = this.takeNext(end);
      if (!t) throw new Error('promise still pending and no timer left to run');
      this.time = Math.max(this.time, t.at);
      t.fn();
      await flush();
    }
    const final = state as { ok: boolean; value: unknown };
    if (!final.ok) throw final.value;
    return final.value as T;
  }
}

async function flush(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  await new Promise<void>((resolve) => setImmediate(resolve));
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn';
  obj: object;
  msg: string;
}

export function recordingLog(lines: LogLine[]): DriverLog {
  return {
    debug: (obj, msg) => lines.push({ level: 'debug', obj, msg }),
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
  };
}

/** APDUs inside a byte stream (serial blocks or bare TCP APDUs), ACK/NAK left out. */
export function apdusIn(framing: TransportFraming, chunks: readonly Uint8Array[]): Apdu[] {
  const framer = createFramer(framing);
  const out: Apdu[] = [];
  for (const chunk of chunks) for (const e of framer.push(chunk, 0)) if (e.type === 'apdu') out.push(e.apdu);
  return out;
}

export function bytes(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

export function hexOf(b: Uint8Array): string {
  return Buffer.from(b).toString('hex').toUpperCase().replace(/(..)(?!$)/g, '$1 ');
}

export function apduOf(hex: string): Apdu {
  const d = decodeApdu(bytes(hex));
  if (!d.ok) throw new Error(d.message);
  return d.apdu;
}

/** A minimal till: sends one command and acknowledges what the terminal sends until it completes. */
export class Till {
  readonly received: Apdu[] = [];
  readonly layer: LinkLayer;
  private waiters: { start: number; resolve: (a: Apdu[]) => void }[] = [];

  constructor(
    framing: TransportFraming,
    clock: FakeClock,
    private readonly deliver: (bytes: Uint8Array) => void,
  ) {
    this.layer = createLinkLayer({
      framing,
      write: (b) => {
        const copy = b.slice();
        clock.schedule(0, () => this.deliver(copy));
      },
      schedule: clock.schedule,
      now: clock.now,
      onApdu: (a) => this.onApdu(a),
    });
  }

  /**
   * Resolves with everything received since this command once the terminal ends an exchange
   * (06 0F / 06 1E / 84 xx); an abort ends the payment it interrupts as well.
   */
  run(command: Apdu): Promise<Apdu[]> {
    return new Promise((resolve) => {
      this.waiters.push({ start: this.received.length, resolve });
      void this.layer.send(command).catch(() => undefined);
    });
  }

  private onApdu(a: Apdu): void {
    this.received.push(a);
    const isReply = a.cls === 0x80 || a.cls === 0x84;
    if (!isReply) void this.layer.send(positiveReply).catch(() => undefined);
    const ends = (a.cls === 0x84 && a.ins !== 0x00) || (a.cls === 0x06 && (a.ins === 0x0f || a.ins === 0x1e));
    if (ends) for (const w of this.waiters.splice(0)) w.resolve(this.received.slice(w.start));
  }
}

export interface Wired {
  clock: FakeClock;
  sim: Simulator<ZvtFaults>;
  driver: ZvtDriver;
  /** Everything the driver wrote, chunk by chunk. */
  written: Uint8Array[];
  /** Everything the simulator sent, chunk by chunk. */
  simSent: Uint8Array[];
  logs: LogLine[];
  /** Routes the simulator's output to the till instead of the driver (or back, with null). */
  routeTo(till: Till | null): void;
  till(): Till;
}

/** Driver ⇄ in-memory link ⇄ simulator, all on one fake clock. Delivery is asynchronous. */
export function wire(
  framing: TransportFraming,
  setup: {
    options?: Record<string, unknown>;
    requestTimeoutMs?: number;
    faults?: Partial<ZvtFaults>;
    /** Changes the n-th chunk on its way (0-based), to simulate a bad line. */
    lineFault?: { driverWrite?: (b: Uint8Array, n: number) => Uint8Array; simSend?: (b: Uint8Array, n: number) => Uint8Array };
  } = {},
): Wired {
  const clock = new FakeClock();
  const listeners = new Set<(chunk: Uint8Array) => void>();
  const written: Uint8Array[] = [];
  const simSent: Uint8Array[] = [];
  const logs: LogLine[] = [];
  let routeTill: Till | null = null;
  const sim = createZvtSimulator({
    framing,
    now: clock.now,
    schedule: clock.schedule,
    send: (b) => {
      const copy = setup.lineFault?.simSend?.(b.slice(), simSent.length) ?? b.slice();
      simSent.push(copy);
      clock.schedule(0, () => {
        if (routeTill) routeTill.layer.receive(copy);
        else for (const l of [...listeners]) l(copy);
      });
    },
  });
  if (setup.faults) sim.setFaults(setup.faults);
  const link: DeviceLink = {
    write(b) {
      const copy = setup.lineFault?.driverWrite?.(b.slice(), written.length) ?? b.slice();
      written.push(copy);
      clock.schedule(0, () => sim.receive(copy));
      return Promise.resolve();
    },
    onData(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const driver = createZvtDriver({
    framing,
    link,
    options: zvtOptionsSchema.parse(setup.options ?? {}),
    requestTimeoutMs: setup.requestTimeoutMs ?? 1_000,
    log: recordingLog(logs),
    onUnsolicitedReading: () => undefined,
    now: clock.now,
    schedule: clock.schedule,
  });
  return {
    clock,
    sim,
    driver,
    written,
    simSent,
    logs,
    routeTo(till) {
      routeTill = till;
    },
    till() {
      return new Till(framing, clock, (b) => sim.receive(b));
    },
  };
}
