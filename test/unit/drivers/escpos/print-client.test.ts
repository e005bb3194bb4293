import { describe, expect, it } from 'vitest';
import type { DeviceLink } from '../../../../drivers/model.js';
import { buildPrintJob, createPrintClient, type ByteRecord, type PrintClientOptions } from '../../../../drivers/escpos/print-client.js';
import { createEscposSimulator, type EscposFaults } from '../../../../drivers/escpos/simulator.js';
import { FakeClock } from '../zvt/harness.js';

const hex = (bytes: ArrayLike<number>) => Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');

/** Where `sequence` occurs in `bytes`. */
function indexesOf(bytes: Uint8Array, sequence: number[]): number[] {
  const found: number[] = [];
  for (let i = 0; i + sequence.length <= bytes.length; i++) if (sequence.every((b, k) => bytes[i + k] === b)) found.push(i);
  return found;
}

/** The GS v 0 image: where its data starts and ends. */
function raster(bytes: Uint8Array) {
  const at = indexesOf(bytes, [0x1d, 0x76, 0x30, 0x00])[0]!;
  const width = bytes[at + 4]! | (bytes[at + 5]! << 8);
  const rows = bytes[at + 6]! | (bytes[at + 7]! << 8);
  return { start: at + 8, end: at + 8 + width * rows, width, rows };
}

describe('buildPrintJob', () => {
  it('is deterministic by seed', () => {
    expect(buildPrintJob(7).bytes).toEqual(buildPrintJob(7).bytes);
    expect(buildPrintJob(7).bytes).not.toEqual(buildPrintJob(8).bytes);
  });

  it('starts with ESC @, ends with the partial cut GS V 66 0, and formats with ESC !, ESC a and GS !', () => {
    const { bytes } = buildPrintJob(1);
    expect(hex(bytes.subarray(0, 2))).toBe('1B 40');
    expect(hex(bytes.subarray(-4))).toBe('1D 56 42 00');
    for (const command of [[0x1b, 0x21, 0x30], [0x1b, 0x21, 0x08], [0x1b, 0x61, 0x01], [0x1d, 0x21, 0x11]]) {
      expect(indexesOf(bytes, command).length, hex(command)).toBeGreaterThan(0);
    }
  });

  it('carries UTF-8 text after FS ( C and GBK text in FS & mode', () => {
    const { bytes } = buildPrintJob(3);
    const utf8At = indexesOf(bytes, [0x1c, 0x28, 0x43, 0x02, 0x00, 0x30, 0x02])[0]! + 7;
    const utf8 = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(utf8At, bytes.indexOf(0x0a, utf8At)));
    expect(utf8).toMatch(/^Grüße aus Köln – schönen Tag! \d+,\d\d €$/);
    const gbkAt = indexesOf(bytes, [0x1c, 0x26])[0]! + 2;
    const gbk = new TextDecoder('gbk').decode(bytes.subarray(gbkAt, bytes.indexOf(0x0a, gbkAt)));
    expect(['谢谢惠顾', '欢迎再次光临', '合计', '收银员']).toContain(gbk);
  });

  it('puts the trap sequences inside the raster image data, and nowhere else', () => {
    for (const seed of [1, 2, 3, 99, 12345]) {
      const { bytes, realTimeRequests } = buildPrintJob(seed);
      const image = raster(bytes);
      expect(image.width).toBe(24);
      for (const trap of [[0x10, 0x04, 0x01], [0x10, 0x04, 0x04], [0x1d, 0x56, 0x00], [0x1b, 0x40]]) {
        const inside = indexesOf(bytes, trap).filter((i) => i >= image.start && i + trap.length <= image.end);
        expect(inside, `${hex(trap)} in seed ${seed}`).toHaveLength(1);
      }
      expect(indexesOf(bytes, [0x10, 0x04]).every((i) => i >= image.start && i < image.end)).toBe(true);
      expect(realTimeRequests).toBe(2);
    }
  });

  it('prints a CODE128 barcode with GS k', () => {
    const { bytes } = buildPrintJob(42);
    const at = indexesOf(bytes, [0x1d, 0x6b, 0x49])[0]!;
    const n = bytes[at + 3]!;
    expect(new TextDecoder().decode(bytes.subarray(at + 4, at + 4 + n))).toBe('{BBON000042');
  });
});

/** The client ⇄ the real printer simulator, on a fake clock; chunks are delivered on a later tick. */
function setup(faults: Partial<EscposFaults> = {}, options: Partial<PrintClientOptions> = {}) {
  const clock = new FakeClock();
  const listeners = new Set<(chunk: Uint8Array) => void>();
  const printerGot: number[] = [];
  const deliver = (bytes: Uint8Array) => clock.schedule(0, () => listeners.forEach((l) => l(bytes)));
  const sim = createEscposSimulator({ transport: 'serial', schedule: clock.schedule, send: (b) => deliver(b.slice()) });
  sim.setFaults(faults);
  const link: DeviceLink = {
    write(bytes) {
      const copy = bytes.slice();
      clock.schedule(0, () => {
        printerGot.push(...copy);
        sim.receive(copy);
      });
      return Promise.resolve();
    },
    onData(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const records: ByteRecord[] = [];
  const client = createPrintClient({ link, schedule: clock.schedule, now: clock.now, onBytes: (r) => records.push(r), ...options });
  return { clock, sim, client, printerGot, records, deliver, listeners };
}

describe('print client against the printer simulator', () => {
  it('prints 20 jobs back to back, each checked by its own DLE EOT 4, with every embedded request answered', async () => {
    const s = setup();
    let sent = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const job = buildPrintJob(seed);
      const result = await s.clock.settle(s.client.print(job));
      expect(result).toMatchObject({ outcome: 'printed', bytes: job.bytes.length + 3, paper: { nearEnd: false, paperEnd: false }, error: null });
      // 10 04 01 → printer status, 10 04 04 → paper, then our own 10 04 04 → paper.
      expect(result.replies).toBe('12 12 12');
      sent += job.bytes.length + 3;
    }
    expect(s.client.strayBytes).toBe(0);
    expect(s.printerGot).toHaveLength(sent);
  });

  it('reports paper near end and paper out from the roll sensor', async () => {
    const s = setup({ paperLow: true });
    expect(await s.clock.settle(s.client.print(buildPrintJob(1)))).toMatchObject({ outcome: 'printed', paper: { nearEnd: true, paperEnd: false } });
    s.sim.setFaults({ paperLow: false, paperOut: true });
    expect(await s.clock.settle(s.client.print(buildPrintJob(2)))).toMatchObject({ outcome: 'paper-out', paper: { nearEnd: false, paperEnd: true } });
  });

  it('asks for the paper alone, as a till does now and then', async () => {
    const s = setup();
    const result = await s.clock.settle(s.client.checkPaper());
    expect(result).toMatchObject({ outcome: 'printed', bytes: 3, replies: '12' });
    expect(s.records.map((r) => `${r.dir} ${r.hex}`)).toEqual(['host->printer 10 04 04', 'printer->host 12']);
  });

  it('times out on a silent printer, saying how many answers came', async () => {
    const s = setup({ mute: true }, { replyTimeoutMs: 1_500 });
    const result = await s.clock.settle(s.client.print(buildPrintJob(1)));
    expect(result).toMatchObject({ outcome: 'timeout', paper: null, durationMs: 1_500, error: '0 of 3 answers within 1500 ms' });
    s.sim.setFaults({ mute: false, slowMs: 2_000 });
    const slow = await s.clock.settle(s.client.checkPaper());
    expect(slow.outcome).toBe('timeout');
    // The late answer comes when nobody waits for it: counted, not taken for the next one.
    await s.clock.advance(1_000);
    expect(s.client.strayBytes).toBe(1);
  });

  it('rejects answers that are no DLE EOT reply', async () => {
    const s = setup({ garbage: true });
    const result = await s.clock.settle(s.client.checkPaper());
    expect(result.outcome).toBe('bad-reply');
    expect(result.error).toMatch(/is no DLE EOT reply/);
  });

  it('counts bytes nobody asked for as stray', async () => {
    const s = setup();
    s.deliver(Uint8Array.of(0x12, 0x12));
    await s.clock.advance(10);
    expect(s.client.strayBytes).toBe(2);
    expect(await s.clock.settle(s.client.checkPaper())).toMatchObject({ outcome: 'printed' });
  });

  it('runs one job at a time, and records every write and received chunk in order', async () => {
    const s = setup();
    const [a, b] = await s.clock.settle(Promise.all([s.client.print(buildPrintJob(1)), s.client.print(buildPrintJob(2))]));
    expect([a.outcome, b.outcome]).toEqual(['printed', 'printed']);
    const dirs = s.records.map((r) => r.dir);
    expect(dirs.slice(0, 2)).toEqual(['host->printer', 'host->printer']);
    // Job 2 is written only after every answer to job 1 is in.
    const secondJob = s.records.findIndex((r) => r.hex === hex(buildPrintJob(2).bytes));
    const answers = s.records.slice(0, secondJob).filter((r) => r.dir === 'printer->host').map((r) => r.hex).join(' ');
    expect(answers).toBe('12 12 12');
  });

  it('ends a waiting job as a link error on close, and does no more after', async () => {
    const s = setup({ mute: true });
    const waiting = s.client.print(buildPrintJob(1));
    await s.clock.advance(10);
    s.client.close();
    expect(await waiting).toMatchObject({ outcome: 'link-error' });
    expect(await s.client.checkPaper()).toMatchObject({ outcome: 'link-error', error: 'the print client is closed' });
    expect(s.listeners.size).toBe(0);
  });

  it('reports a failed write as a link error', async () => {
    const clock = new FakeClock();
    const client = createPrintClient({
      link: { write: () => Promise.reject(new Error('EIO')), onData: () => () => undefined },
      schedule: clock.schedule,
      now: clock.now,
    });
    expect(await client.checkPaper()).toMatchObject({ outcome: 'link-error', error: 'EIO' });
  });
});
