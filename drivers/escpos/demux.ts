/**
 * The receive-stream demultiplexer (§2.8): turns the bytes a printer sends into replies to the
 * requests we made, Automatic Status Back messages, and counted garbage.
 *
 * ESC/POS replies carry no request id; only their bit patterns and the order of requests tell
 * them apart. So the caller registers each request as it sends it (`expect`), pushes whatever
 * arrives (`push`, any chunking), and gets typed events back. Pure: no I/O, no timers, never
 * throws on input, and holds at most one frame (MAX_BLOCK_BYTES) of unfinished data.
 */
import {
  dleEot,
  gsInfo,
  gsStatus,
  INFO_A_HEADER,
  INFO_B_HEADER,
  isAsbFirstByte,
  isEotReplyByte,
  isFlowControlByte,
  isOneByteInfo,
  isPlainReplyByte,
  MAX_BLOCK_BYTES,
  type EotNumber,
  type InfoNumber,
} from './codec.js';

export type EscposRequest =
  | { kind: 'eot'; n: EotNumber }
  | { kind: 'info'; n: InfoNumber }
  | { kind: 'status'; n: 1 | 2 | 49 | 50 };

/** Human name of a request, as used in DeviceTimeoutError ("DLE EOT 1", "GS I 66"). */
export function describeRequest(request: EscposRequest): string {
  const command = { eot: 'DLE EOT', info: 'GS I', status: 'GS r' }[request.kind];
  return `${command} ${request.n}`;
}

export function encodeRequest(request: EscposRequest): Uint8Array {
  switch (request.kind) {
    case 'eot':
      return dleEot(request.n);
    case 'info':
      return gsInfo(request.n);
    case 'status':
      return gsStatus(request.n);
  }
}

/**
 * - `noise`: a byte that fits no reply pattern (line noise, a wrong baud rate).
 * - `unexpected`: a well-formed reply nobody is waiting for (typically late, after a timeout).
 * - `bad-asb`: an ASB first byte not followed by three valid ASB bytes.
 * - `block-too-long`: no NUL within MAX_BLOCK_BYTES of a block header.
 */
export type DiscardReason = 'noise' | 'unexpected' | 'bad-asb' | 'block-too-long';

export type DemuxEvent =
  /** `bytes` is one byte, or a whole information block from header to NUL. */
  | { type: 'reply'; id: number; request: EscposRequest; bytes: Uint8Array }
  | { type: 'asb'; bytes: Uint8Array }
  | { type: 'discarded'; count: number; reason: DiscardReason };

export interface DemuxOptions {
  /** Recognise ASB messages (only once GS a has been sent; otherwise `0xx1xx00` is garbage). */
  asb?: boolean;
  /** Guard against a caller that registers requests and never resets; default 16. */
  maxOutstanding?: number;
}

interface Outstanding {
  id: number;
  request: EscposRequest;
}

export class ReplyDemux {
  private readonly outstanding: Outstanding[] = [];
  private readonly maxOutstanding: number;
  private asbEnabled: boolean;
  private nextId = 1;
  /** What the bytes in `frame` are: nothing yet, the start of an ASB message, or a block. */
  private mode: 'idle' | 'asb' | 'block' = 'idle';
  private frame: number[] = [];
  private discarded = 0;
  private flowControl = 0;

  constructor(options: DemuxOptions = {}) {
    this.asbEnabled = options.asb ?? false;
    this.maxOutstanding = options.maxOutstanding ?? 16;
  }

  /** Registers a request about to be sent; returns the id its reply event will carry. */
  expect(request: EscposRequest): number {
    if (this.outstanding.length >= this.maxOutstanding) {
      throw new RangeError(`more than ${this.maxOutstanding} outstanding ESC/POS requests; reset() after a timeout`);
    }
    const id = this.nextId++;
    this.outstanding.push({ id, request });
    return id;
  }

  /**
   * Forgets every outstanding request, so a reply arriving late is discarded as `unexpected`
   * instead of being taken for the next request's. A frame half received is kept: the rest of
   * a block must still be read to its NUL, or its text would be mistaken for status bytes
   * ('2' = 0x32 looks like a DLE EOT reply).
   */
  reset(): void {
    this.outstanding.length = 0;
  }

  setAsbEnabled(on: boolean): void {
    this.asbEnabled = on;
  }

  get outstandingCount(): number {
    return this.outstanding.length;
  }

  /** Bytes held for an unfinished ASB message or block; never more than MAX_BLOCK_BYTES. */
  get bufferedBytes(): number {
    return this.frame.length;
  }

  /** Bytes dropped since creation (noise, unexpected replies, broken frames). */
  get discardedBytes(): number {
    return this.discarded;
  }

  /** XON/XOFF bytes dropped since creation; flow control, not garbage. */
  get flowControlBytes(): number {
    return this.flowControl;
  }

  push(chunk: Uint8Array): DemuxEvent[] {
    const events: DemuxEvent[] = [];
    for (const b of chunk) this.take(b, events);
    return events;
  }

  private take(b: number, events: DemuxEvent[]): void {
    if (this.mode === 'block') {
      this.takeBlockByte(b, events);
      return;
    }
    // Outside blocks XON/XOFF are flow control, even between ASB bytes (§2.7, §2.8).
    if (isFlowControlByte(b)) {
      this.flowControl++;
      return;
    }
    if (this.mode === 'asb') {
      if (isPlainReplyByte(b)) {
        this.frame.push(b);
        if (this.frame.length === 4) this.emitFrame(events, (bytes) => events.push({ type: 'asb', bytes }));
        return;
      }
      // The 4 ASB bytes are contiguous (§2.7): this one was not an ASB, so drop what we took
      // for one and read the current byte afresh (it may be a DLE EOT reply).
      this.discard(events, this.frame.length, 'bad-asb');
      this.frame = [];
      this.mode = 'idle';
    }
    if (b === INFO_A_HEADER || b === INFO_B_HEADER) {
      // Blocks are framed even when no GS I is outstanding, so a late block is skipped whole.
      this.mode = 'block';
      this.frame = [b];
    } else if (this.asbEnabled && isAsbFirstByte(b)) {
      this.mode = 'asb';
      this.frame = [b];
    } else if (isEotReplyByte(b)) {
      this.answer(events, Uint8Array.of(b), (r) => r.kind === 'eot', () => true);
    } else if (isPlainReplyByte(b)) {
      this.answer(events, Uint8Array.of(b), isQueued, expectsOneByte);
    } else {
      this.discard(events, 1, 'noise');
    }
  }

  /** A block is read to its NUL; the printer sends no DLE EOT reply inside one (§2.8). */
  private takeBlockByte(b: number, events: DemuxEvent[]): void {
    this.frame.push(b);
    if (b === 0x00) {
      this.emitFrame(events, (bytes) => this.answer(events, bytes, isQueued, (r) => !expectsOneByte(r)));
    } else if (this.frame.length >= MAX_BLOCK_BYTES) {
      this.discard(events, this.frame.length, 'block-too-long');
      this.frame = [];
      this.mode = 'idle';
    }
  }

  private emitFrame(events: DemuxEvent[], deliver: (bytes: Uint8Array) => void): void {
    const bytes = Uint8Array.from(this.frame);
    this.frame = [];
    this.mode = 'idle';
    deliver(bytes);
  }

  /**
   * Hands `bytes` to the oldest outstanding request of the class that can produce them (§2.8:
   * DLE EOT replies and queued replies are two separate FIFOs). Queued replies come strictly in
   * order, so if the oldest queued request expects another shape, the bytes are not its answer.
   */
  private answer(
    events: DemuxEvent[],
    bytes: Uint8Array,
    inClass: (r: EscposRequest) => boolean,
    fits: (r: EscposRequest) => boolean,
  ): void {
    const index = this.outstanding.findIndex((o) => inClass(o.request));
    const oldest = this.outstanding[index];
    if (oldest === undefined || !fits(oldest.request)) {
      this.discard(events, bytes.length, 'unexpected');
      return;
    }
    this.outstanding.splice(index, 1);
    events.push({ type: 'reply', id: oldest.id, request: oldest.request, bytes });
  }

  /** Counts dropped bytes; consecutive drops for the same reason become one event. */
  private discard(events: DemuxEvent[], count: number, reason: DiscardReason): void {
    if (count === 0) return;
    this.discarded += count;
    const last = events[events.length - 1];
    if (last?.type === 'discarded' && last.reason === reason) last.count += count;
    else events.push({ type: 'discarded', count, reason });
  }
}

const isQueued = (r: EscposRequest): boolean => r.kind !== 'eot';
const expectsOneByte = (r: EscposRequest): boolean => r.kind === 'status' || (r.kind === 'info' && isOneByteInfo(r.n));
