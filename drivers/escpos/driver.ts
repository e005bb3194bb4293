/**
 * ESC/POS receipt printer driver: DLE EOT 1-4 status polling, optional Automatic Status Back,
 * GS I identity. The byte-level work is in codec.ts and demux.ts; this file only sends requests,
 * waits for their replies with a timeout, and keeps per-connection state.
 *
 * Request discipline (§3): one exchange on the link at a time. A poll is a burst of the four
 * DLE EOT requests (at most 4 may be outstanding); GS I requests go one by one.
 */
import {
  DeviceTimeoutError,
  type DeviceIdentity,
  type DeviceReading,
  type Driver,
  type DriverContext,
} from '../model.js';
import { decodeAsb, decodeInfoBlock, gsAsb, type InfoNumber } from './codec.js';
import { describeRequest, encodeRequest, ReplyDemux, type DemuxEvent, type EscposRequest } from './demux.js';
import type { EscposOptions } from './options.js';
import { asbToReading, readingFromEotBytes } from './reading.js';

/** GS a groups 0-3: drawer, online/offline, errors, roll paper (§2.7). */
const ASB_GROUPS_MASK = 0x0f;
/** While the printer is online but identity is incomplete, ask again at most this often. */
export const IDENTITY_RETRY_INTERVAL_MS = 30_000;

const STATUS_REQUESTS: readonly EscposRequest[] = [
  { kind: 'eot', n: 1 },
  { kind: 'eot', n: 2 },
  { kind: 'eot', n: 3 },
  { kind: 'eot', n: 4 },
];

/** GS I information B numbers, in the order they are asked for (maker and model matter most). */
const IDENTITY_FIELDS: ReadonlyArray<readonly [InfoNumber, keyof DeviceIdentity]> = [
  [66, 'manufacturer'],
  [67, 'model'],
  [68, 'serial'],
  [65, 'firmware'],
];

/** Rejects waits that were pending when the driver was stopped. Not a DeviceTimeoutError: nothing timed out. */
export class DriverStoppedError extends Error {
  override readonly name = 'DriverStoppedError';
  constructor() {
    super('escpos driver stopped: the link is gone');
  }
}

interface PendingReply {
  request: EscposRequest;
  resolve(bytes: Uint8Array): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export function createEscposDriver(ctx: DriverContext<EscposOptions>): Driver {
  return new EscposDriver(ctx);
}

class EscposDriver implements Driver {
  private demux = new ReplyDemux();
  private readonly pending = new Map<number, PendingReply>();
  private readonly sleeps = new Set<{ timer: ReturnType<typeof setTimeout>; reject(error: Error): void }>();
  private unsubscribe: (() => void) | null = null;
  /** Serialises exchanges on the link (§3). */
  private queue: Promise<unknown> = Promise.resolve();
  private pollInFlight: Promise<DeviceReading> | null = null;
  private known: DeviceIdentity = emptyIdentity();
  /** GS I numbers answered (even if with "unavailable"); the rest are asked again later. */
  private readonly identityAnswered = new Set<InfoNumber>();
  private lastIdentityAttemptAt = Number.NEGATIVE_INFINITY;
  /** After a timeout, replies may still be on their way; the next poll waits until this time. */
  private quietUntil = Number.NEGATIVE_INFINITY;

  constructor(private readonly ctx: DriverContext<EscposOptions>) {}

  async start(): Promise<void> {
    this.attach();
    // Sharing the printer with a till: GS a would change what the till receives, and GS I waits
    // behind the till's print data. Only the real-time DLE EOT queries are ours to send.
    if (this.ctx.sharedWithTill) return;
    await this.exclusive(async () => {
      if (this.ctx.options.asb) {
        // No reply is awaited: a printer without ASB simply stays silent, and polling goes on.
        this.demux.setAsbEnabled(true);
        await this.ctx.link.write(gsAsb(ASB_GROUPS_MASK));
      }
      if (this.ctx.options.identify) await this.readIdentity();
    });
  }

  poll(): Promise<DeviceReading> {
    this.attach();
    // The agent never overlaps polls; if it ever does, both callers share one round.
    this.pollInFlight ??= this.exclusive(() => this.pollOnce()).finally(() => {
      this.pollInFlight = null;
    });
    return this.pollInFlight;
  }

  identity(): DeviceIdentity {
    return { ...this.known };
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.failPending(new DriverStoppedError());
    for (const sleep of this.sleeps) {
      clearTimeout(sleep.timer);
      sleep.reject(new DriverStoppedError());
    }
    this.sleeps.clear();
    this.demux = new ReplyDemux();
    this.known = emptyIdentity();
    this.identityAnswered.clear();
    this.lastIdentityAttemptAt = Number.NEGATIVE_INFINITY;
    this.quietUntil = Number.NEGATIVE_INFINITY;
  }

  private async pollOnce(): Promise<DeviceReading> {
    const wait = this.quietUntil - this.ctx.now();
    if (wait > 0) await this.sleep(wait);
    const [b1 = 0, b2 = 0, b3 = 0, b4 = 0] = (await this.exchange(STATUS_REQUESTS)).map((reply) => reply[0] ?? 0);
    // The demux only passes bytes with the DLE EOT fixed bits, so this cannot fail in practice.
    const decoded = readingFromEotBytes(b1, b2, b3, b4);
    if (!decoded.ok) throw new Error(`invalid DLE EOT reply: ${decoded.error.message}`);
    if (decoded.value.power === 'online') await this.retryIdentityIfDue();
    return decoded.value;
  }

  private async retryIdentityIfDue(): Promise<void> {
    if (this.ctx.sharedWithTill || !this.ctx.options.identify || this.identityAnswered.size === IDENTITY_FIELDS.length) return;
    if (this.ctx.now() - this.lastIdentityAttemptAt < IDENTITY_RETRY_INTERVAL_MS) return;
    try {
      await this.readIdentity();
    } catch (error) {
      // The status reading is already good; a link error will show on the next poll.
      this.ctx.log.debug({ err: error }, 'escpos identity retry failed');
    }
  }

  /**
   * GS I is queued (§2.6, §3): a stopped or busy printer does not answer it. A timeout is not an
   * error here; the missing fields stay null and are asked for at a later poll.
   */
  private async readIdentity(): Promise<void> {
    this.lastIdentityAttemptAt = this.ctx.now();
    for (const [n, field] of IDENTITY_FIELDS) {
      if (this.identityAnswered.has(n)) continue;
      let reply: Uint8Array;
      try {
        [reply = new Uint8Array()] = await this.exchange([{ kind: 'info', n }]);
      } catch (error) {
        if (!(error instanceof DeviceTimeoutError)) throw error;
        this.ctx.log.debug({ request: error.request }, 'escpos identity not answered; will ask again while online');
        return;
      }
      const block = decodeInfoBlock(reply);
      const text = block.ok && block.value.kind === 'text' ? block.value.text.trim() : '';
      this.known[field] = text === '' ? null : text;
      this.identityAnswered.add(n);
    }
    this.ctx.log.info({ ...this.known }, 'escpos printer identified');
  }

  /** Runs link exchanges one after another, whatever the previous one's outcome. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Sends the requests as one write and resolves with their replies in order. Each reply has
   * its own timer from the moment of sending; the first to expire fails the whole exchange.
   */
  private exchange(requests: readonly EscposRequest[]): Promise<Uint8Array[]> {
    // Work queued before stop() must not write to a link that is gone.
    if (this.unsubscribe === null) return Promise.reject(new DriverStoppedError());
    // Registered before writing: an in-memory link may answer inside write().
    const replies = requests.map(
      (request) =>
        new Promise<Uint8Array>((resolve, reject) => {
          const id = this.demux.expect(request);
          const timer = setTimeout(() => this.timeOut(id), this.ctx.requestTimeoutMs);
          this.pending.set(id, { request, resolve, reject, timer });
        }),
    );
    const all = Promise.all(replies);
    const bytes = Uint8Array.from(requests.flatMap((r) => [...encodeRequest(r)]));
    this.ctx.link.write(bytes).catch((error: unknown) => {
      this.demux.reset();
      this.failPending(error instanceof Error ? error : new Error(String(error)));
    });
    return all;
  }

  private timeOut(id: number): void {
    const waiting = this.pending.get(id);
    if (waiting === undefined) return;
    // The rest of the burst is abandoned too; whatever still arrives for it is stale (§3).
    this.demux.reset();
    // Late information blocks frame themselves and are skipped; late status bytes do not (see sleep).
    if (waiting.request.kind === 'eot') this.quietUntil = this.ctx.now() + this.ctx.requestTimeoutMs;
    this.failPending(new DeviceTimeoutError(describeRequest(waiting.request), this.ctx.requestTimeoutMs));
  }

  private failPending(error: Error): void {
    for (const waiting of this.pending.values()) {
      clearTimeout(waiting.timer);
      waiting.reject(error);
    }
    this.pending.clear();
  }

  private attach(): void {
    this.unsubscribe ??= this.ctx.link.onData((chunk) => {
      for (const event of this.demux.push(chunk)) this.handle(event);
    });
  }

  private handle(event: DemuxEvent): void {
    switch (event.type) {
      case 'reply': {
        const waiting = this.pending.get(event.id);
        if (waiting === undefined) return;
        this.pending.delete(event.id);
        clearTimeout(waiting.timer);
        waiting.resolve(event.bytes);
        return;
      }
      case 'asb': {
        const asb = decodeAsb(event.bytes);
        if (!asb.ok) return; // the demux only frames valid ASB bytes
        try {
          this.ctx.onUnsolicitedReading(asbToReading(asb.value));
        } catch (error) {
          this.ctx.log.warn({ err: error }, 'escpos: handling an automatic status message failed');
        }
        return;
      }
      case 'discarded':
        this.ctx.log.debug({ count: event.count, reason: event.reason, total: this.demux.discardedBytes }, 'escpos bytes discarded');
        return;
    }
  }

  /**
   * Lets late replies to a timed-out burst arrive and be discarded before the next burst is
   * sent: DLE EOT replies carry no request id, so a late `0x12` would otherwise be taken for the
   * new request's answer. A reply later than twice the timeout is still indistinguishable.
   */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const sleep = {
        timer: setTimeout(() => {
          this.sleeps.delete(sleep);
          resolve();
        }, ms),
        reject,
      };
      this.sleeps.add(sleep);
    });
  }
}

function emptyIdentity(): DeviceIdentity {
  return { manufacturer: null, model: null, serial: null, firmware: null };
}
