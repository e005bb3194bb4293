/**
 * The till's side of an ESC/POS printer: receipts as till software prints them, and the paper
 * check it runs between them (DLE EOT 4), so a test can put real print traffic through a printer
 * or through posdiag's passthrough in front of one.
 *
 * A receipt holds what makes a byte stream hard to watch: text in UTF-8 and GBK, formatting
 * commands, a barcode, and a raster logo whose data contains `10 04 01`, `10 04 04`, `1D 56 00`
 * and `1B 40` on purpose. A printer answers a `10 04 n` even inside image data (the embedding
 * hazard, escpos-and-upos.md §3), so each job says how many such answers it will draw, and the
 * client waits for exactly those plus the answer to its own query.
 *
 * `buildPrintJob` is pure and deterministic by seed; `createPrintClient` gets its link, clock
 * and timers from the caller.
 */
import type { DeviceLink } from '../model.js';
import { decodeEot4, dleEot, type Eot4RollPaper, isEotReplyByte } from './codec.js';

const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;
const DLE = 0x10;
const EOT = 0x04;
const LF = 0x0a;

export interface PrintJob {
  seed: number;
  bytes: Uint8Array;
  /**
   * How many `10 04 n` a printer finds in `bytes` and answers, one byte each, found as a
   * printer's real-time scanner finds them.
   */
  realTimeRequests: number;
}

/** Sequences the raster data carries on purpose: two status requests, a cut and an initialise. */
const trapSequences: readonly (readonly number[])[] = [
  [DLE, EOT, 0x01],
  [DLE, EOT, 0x04],
  [GS, 0x56, 0x00],
  [ESC, 0x40],
];

const items = ['Brezel', 'Kaffee gross', 'Croissant', 'Apfelschorle', 'Laugenstange', 'Mohnschnecke', 'Tee', 'Bauernbrot 1kg'];

/** "Thank you for your custom", "Welcome back", "Total", "Cashier", in GBK: a Chinese-model printer's double-byte mode. */
const gbkLines: readonly (readonly number[])[] = [
  [0xd0, 0xbb, 0xd0, 0xbb, 0xbb, 0xdd, 0xb9, 0xcb],
  [0xbb, 0xb6, 0xd3, 0xad, 0xd4, 0xd9, 0xb4, 0xce, 0xb9, 0xe2, 0xc1, 0xd9],
  [0xba, 0xcf, 0xbc, 0xc6],
  [0xca, 0xd5, 0xd2, 0xf8, 0xd4, 0xb1],
];

/** A receipt: same seed, same bytes. */
export function buildPrintJob(seed: number): PrintJob {
  const random = mulberry32(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const out: number[] = [];
  const text = (s: string) => out.push(...new TextEncoder().encode(s));
  const line = (s: string) => {
    text(s);
    out.push(LF);
  };
  const width = 42; // characters per line of font A on 80 mm paper

  out.push(ESC, 0x40); // initialise
  out.push(ESC, 0x74, 0x00); // code page 437: plain ASCII below
  out.push(ESC, 0x61, 0x01); // centre
  out.push(GS, 0x21, 0x11); // double width and height
  line('POSDIAG BAECKEREI');
  out.push(GS, 0x21, 0x00);
  line('Hauptstrasse 1, 50667 Koeln');
  out.push(ESC, 0x61, 0x00); // left
  line(`Bon ${String(seed).padStart(6, '0')}`);
  line('-'.repeat(width));
  let total = 0;
  for (let i = 0, n = 2 + pick(6); i < n; i++) {
    const name = items[pick(items.length)]!;
    const cents = 50 + pick(1_950);
    total += cents;
    const price = euros(cents);
    line(`${name}${' '.repeat(Math.max(1, width - name.length - price.length))}${price}`);
  }
  line('-'.repeat(width));
  out.push(ESC, 0x21, 0x30); // double height and width
  line(`SUMME EUR ${euros(total)}`);
  out.push(ESC, 0x21, 0x08); // emphasised
  line('Vielen Dank!');
  out.push(ESC, 0x21, 0x00);

  out.push(FS, 0x28, 0x43, 0x02, 0x00, 0x30, 0x02); // FS ( C: UTF-8
  line(`Grüße aus Köln – schönen Tag! ${euros(total)} €`);
  out.push(FS, 0x28, 0x43, 0x02, 0x00, 0x30, 0x01); // back to one byte per character
  out.push(FS, 0x26); // FS &: Chinese (GBK) double-byte mode
  out.push(...gbkLines[pick(gbkLines.length)]!, LF);
  out.push(FS, 0x2e); // FS .: leave it

  out.push(ESC, 0x61, 0x01);
  out.push(...rasterLogo(random));
  out.push(ESC, 0x61, 0x00);

  const code = `BON${String(seed).padStart(6, '0')}`;
  out.push(GS, 0x48, 0x02); // HRI digits below
  out.push(GS, 0x68, 0x50); // 80 dots high
  out.push(GS, 0x77, 0x02); // module width 2
  out.push(GS, 0x6b, 0x49, code.length + 2, 0x7b, 0x42, ...new TextEncoder().encode(code)); // CODE128, code set B
  out.push(ESC, 0x64, 0x04); // feed 4 lines
  out.push(GS, 0x56, 0x42, 0x00); // GS V 66 0: feed to the cutter and cut

  const bytes = Uint8Array.from(out);
  return { seed, bytes, realTimeRequests: countRealTimeRequests(bytes) };
}

/** DLE EOT 4, the roll-paper sensor: what till software asks before a receipt. */
const paperQuery: Uint8Array = dleEot(4);

/**
 * GS v 0: a 24-byte (192-dot) wide logo, 24 to 47 rows, with the trap sequences at fixed places
 * and no others: random data that happened to hold `10 04 n` (or GS I / GS a / GS r, which the
 * simulator's simple parser would answer) is broken up first, so the count of answers is exact.
 */
function rasterLogo(random: () => number): number[] {
  const widthBytes = 24;
  const rows = 24 + Math.floor(random() * 24);
  const data = Array.from({ length: widthBytes * rows }, () => Math.floor(random() * 256));
  for (let i = 0; i + 1 < data.length; i++) {
    if (data[i] === DLE && data[i + 1] === EOT) data[i + 1] = 0x00;
    if (data[i] === GS && [0x49, 0x61, 0x72].includes(data[i + 1]!)) data[i + 1] = 0x00;
  }
  trapSequences.forEach((sequence, k) => data.splice(8 + k * 40, sequence.length, ...sequence));
  return [GS, 0x76, 0x30, 0x00, widthBytes, 0x00, rows, 0x00, ...data];
}

/** The printer's real-time scanner: `10 04 n` (n 1–4) anywhere, the three bytes used up by a match. */
function countRealTimeRequests(bytes: Uint8Array): number {
  let count = 0;
  for (let i = 0; i + 2 < bytes.length; i++) {
    if (bytes[i] === DLE && bytes[i + 1] === EOT && bytes[i + 2]! >= 1 && bytes[i + 2]! <= 4) {
      count++;
      i += 2;
    }
  }
  return count;
}

function euros(cents: number): string {
  return `${Math.floor(cents / 100)},${String(cents % 100).padStart(2, '0')}`;
}

function mulberry32(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------
// The client

export type PrintOutcome =
  /** Sent, and the printer answered as expected with paper in. */
  | 'printed'
  /** Answered as expected, but the paper sensor says the roll is at its end. */
  | 'paper-out'
  /** Fewer answers than expected within the time. */
  | 'timeout'
  /** An answer that is no DLE EOT reply (`0xx1xx10`). */
  | 'bad-reply'
  | 'link-error';

export interface PrintResult {
  outcome: PrintOutcome;
  /** Bytes written: the job and the query. */
  bytes: number;
  /** The answers received for it, hex, in order; the last is the paper status. */
  replies: string;
  /** The roll-paper sensor, when its answer came and was valid. */
  paper: Eot4RollPaper | null;
  durationMs: number;
  error: string | null;
}

export type ByteDirection = 'host->printer' | 'printer->host';

/** A write, or a received chunk, as it passed. */
export interface ByteRecord {
  at: number;
  dir: ByteDirection;
  hex: string;
}

export interface PrintClientOptions {
  link: DeviceLink;
  schedule(delayMs: number, fn: () => void): { cancel(): void };
  now(): number;
  /** From the last byte written to the last answer. Default 5 s. */
  replyTimeoutMs?: number;
  /** Every write and every received chunk, for a capture file. */
  onBytes?(record: ByteRecord): void;
}

export interface PrintClient {
  /** Sends the job, then DLE EOT 4; resolves once every answer is in. Never rejects. */
  print(job: PrintJob): Promise<PrintResult>;
  /** DLE EOT 4 alone, as a till asks now and then. */
  checkPaper(): Promise<PrintResult>;
  /** Bytes that came when no answer was due, or more than were due: a passthrough leaking its own replies shows here. */
  readonly strayBytes: number;
  close(): void;
}

interface Waiting {
  expected: number;
  got: number[];
  done(outcome: 'complete' | 'timeout' | 'closed'): void;
}

export function createPrintClient(o: PrintClientOptions): PrintClient {
  const replyTimeoutMs = o.replyTimeoutMs ?? 5_000;
  let waiting: Waiting | null = null;
  let strayBytes = 0;
  let closed = false;
  let chain: Promise<unknown> = Promise.resolve();

  const hex = (bytes: ArrayLike<number>) => Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');

  const unsubscribe = o.link.onData((chunk) => {
    o.onBytes?.({ at: o.now(), dir: 'printer->host', hex: hex(chunk) });
    for (const b of chunk) {
      if (waiting && waiting.got.length < waiting.expected) {
        waiting.got.push(b);
        if (waiting.got.length === waiting.expected) waiting.done('complete');
      } else {
        strayBytes++;
      }
    }
  });

  const exchange = async (job: Uint8Array | null, expected: number): Promise<PrintResult> => {
    const started = o.now();
    const writes = job ? [job, paperQuery] : [paperQuery];
    const bytes = writes.reduce((n, w) => n + w.length, 0);
    const result = (outcome: PrintOutcome, got: number[], paper: Eot4RollPaper | null, error: string | null): PrintResult => ({
      outcome,
      bytes,
      replies: hex(got),
      paper,
      durationMs: o.now() - started,
      error,
    });
    if (closed) return result('link-error', [], null, 'the print client is closed');

    let timer: { cancel(): void } | null = null;
    const got: number[] = [];
    let end!: (how: 'complete' | 'timeout' | 'closed') => void;
    const ended = new Promise<'complete' | 'timeout' | 'closed'>((resolve) => (end = resolve));
    const wait: Waiting = {
      expected,
      got,
      done(how) {
        timer?.cancel();
        if (waiting === wait) waiting = null;
        end(how);
      },
    };
    // Waiting before the writes, so answers that race the write callback are not lost.
    waiting = wait;
    try {
      for (const bytesOut of writes) {
        o.onBytes?.({ at: o.now(), dir: 'host->printer', hex: hex(bytesOut) });
        await o.link.write(bytesOut);
      }
    } catch (error) {
      wait.done('closed');
      return result('link-error', got, null, error instanceof Error ? error.message : String(error));
    }
    // The time runs from the last byte written: a long job takes long on a slow line.
    if (waiting === wait) timer = o.schedule(replyTimeoutMs, () => wait.done('timeout'));

    const how = await ended;
    if (how === 'closed') return result('link-error', got, null, 'the print client was closed');
    if (how === 'timeout') return result('timeout', got, null, `${got.length} of ${expected} answers within ${replyTimeoutMs} ms`);
    const bad = got.find((b) => !isEotReplyByte(b));
    if (bad !== undefined) return result('bad-reply', got, null, `0x${bad.toString(16)} is no DLE EOT reply`);
    const paper = decodeEot4(got[got.length - 1]!);
    const status = paper.ok ? paper.value : null;
    return result(status?.paperEnd ? 'paper-out' : 'printed', got, status, null);
  };

  // One job at a time: answers are told apart only by their order.
  const queue = (job: Uint8Array | null, expected: number) => {
    const run = chain.then(() => exchange(job, expected));
    chain = run.catch(() => undefined);
    return run;
  };

  return {
    print: (job) => queue(job.bytes, job.realTimeRequests + 1),
    checkPaper: () => queue(null, 1),
    get strayBytes() {
      return strayBytes;
    },
    close() {
      closed = true;
      unsubscribe();
      waiting?.done('closed');
    },
  };
}
