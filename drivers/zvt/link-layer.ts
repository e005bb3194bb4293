/**
 * The ZVT transport layer over a byte pipe, for both ends (driver = ECR, simulator = PT).
 *
 * Serial [PA00P016 §3.2–3.5]: every block received intact is answered with ACK at once, before it
 * is processed; a broken one (CRC, DLE, length, T1 gap) with NAK. Blocks we send wait for the
 * peer's ACK; on NAK or after T2 they are repeated, at most twice, then the send fails.
 * TCP [§4.1]: APDUs go out bare and nothing is acknowledged below the application.
 *
 * Timers go through the injected `schedule`; the framer itself stays timer-free.
 */
import { type Apdu, apduName, encodeApdu } from './apdu.js';
import { createFramer } from './codec.js';
import { ACK, type FrameErrorCode, type Framer, NAK, type TransportFraming, zvtTimers } from './framing.js';
import { encodeSerialBlock } from './serial-framing.js';

export type Schedule = (delayMs: number, fn: () => void) => { cancel(): void };

export interface LinkLayerOptions {
  framing: TransportFraming;
  write(bytes: Uint8Array): void | Promise<void>;
  schedule: Schedule;
  now(): number;
  onApdu(apdu: Apdu): void;
  /** A received block was dropped (serial: and NAKed). For logs. */
  onFrameError?(code: FrameErrorCode, message: string): void;
  /** T2 (serial). Default 5 s. */
  ackTimeoutMs?: number;
  /** Serial T1 (default 200 ms); over TCP the gap after which a partial APDU is dropped (default T3). */
  interByteTimeoutMs?: number;
  /** Repeats after NAK or T2 (default 2). */
  maxRepeats?: number;
}

export type LinkFailure = 'no-ack' | 'nak' | 'closed' | 'write-failed';

export class ZvtLinkError extends Error {
  override readonly name = 'ZvtLinkError';
  constructor(
    readonly reason: LinkFailure,
    readonly request: string,
    message: string,
  ) {
    super(message);
  }
}

export interface LinkLayer {
  receive(chunk: Uint8Array): void;
  /** Serial: resolves when the peer ACKed the block. TCP: when it was written. */
  send(apdu: Apdu): Promise<void>;
  /** Rejects everything pending and forgets partial input. */
  close(): void;
  readonly framer: Framer;
}

interface Outgoing {
  name: string;
  bytes: Uint8Array;
  attempts: number;
  naks: number;
  timer: { cancel(): void } | null;
  resolve(): void;
  reject(error: Error): void;
}

export function createLinkLayer(opts: LinkLayerOptions): LinkLayer {
  const serial = opts.framing === 'serial';
  const framer = createFramer(opts.framing, opts.interByteTimeoutMs === undefined ? {} : { interByteTimeoutMs: opts.interByteTimeoutMs });
  const ackTimeout = opts.ackTimeoutMs ?? zvtTimers.ackMs;
  const interByte = opts.interByteTimeoutMs ?? (serial ? zvtTimers.interByteMs : zvtTimers.responseMs);
  const maxRepeats = opts.maxRepeats ?? zvtTimers.maxRepeats;
  const queue: Outgoing[] = [];
  let current: Outgoing | null = null;
  let gapTimer: { cancel(): void } | null = null;
  let closed = false;

  const write = async (bytes: Uint8Array): Promise<void> => {
    await opts.write(bytes);
  };

  const fail = (out: Outgoing, error: Error) => {
    out.timer?.cancel();
    out.reject(error);
  };

  const next = () => {
    if (current || closed) return;
    current = queue.shift() ?? null;
    if (current) transmit(current);
  };

  const done = (out: Outgoing) => {
    out.timer?.cancel();
    if (current === out) current = null;
    out.resolve();
    next();
  };

  const giveUp = (out: Outgoing) => {
    current = null;
    const reason: LinkFailure = out.naks > 0 ? 'nak' : 'no-ack';
    const what = out.naks > 0 ? `${out.naks} NAK` : 'no ACK';
    fail(out, new ZvtLinkError(reason, out.name, `${out.name}: ${what} after ${out.attempts} sends`));
    next();
  };

  const transmit = (out: Outgoing) => {
    out.attempts++;
    write(out.bytes).then(
      () => {
        if (!serial && current === out) done(out);
      },
      (error: unknown) => {
        if (current !== out) return;
        current = null;
        fail(out, new ZvtLinkError('write-failed', out.name, `${out.name}: ${String(error)}`));
        next();
      },
    );
    if (!serial) return;
    out.timer = opts.schedule(ackTimeout, () => {
      out.timer = null;
      if (current !== out) return;
      if (out.attempts <= maxRepeats) transmit(out);
      else giveUp(out);
    });
  };

  const onNak = () => {
    const out = current;
    if (!out) return;
    out.timer?.cancel();
    out.naks++;
    if (out.attempts <= maxRepeats) transmit(out);
    else giveUp(out);
  };

  const handle = (events: ReturnType<Framer['push']>) => {
    for (const event of events) {
      if (event.type === 'ack') {
        if (current) done(current);
      } else if (event.type === 'nak') {
        onNak();
      } else if (event.type === 'error') {
        if (serial) void write(Uint8Array.of(NAK)).catch(() => undefined);
        opts.onFrameError?.(event.code, event.message);
      } else {
        if (serial) {
          void write(Uint8Array.of(ACK)).catch(() => undefined);
          // The peer only sends a block after it received ours; if our ACK wait is still open,
          // its ACK was lost on the line. Repeating our block now would duplicate the command.
          if (current) done(current);
        }
        opts.onApdu(event.apdu);
      }
    }
  };

  const armGapTimer = () => {
    gapTimer?.cancel();
    gapTimer = null;
    if (!framer.pending) return;
    gapTimer = opts.schedule(interByte, () => {
      gapTimer = null;
      if (!closed) handle(framer.expire(opts.now()));
    });
  };

  return {
    framer,
    receive(chunk) {
      if (closed) return;
      handle(framer.push(chunk, opts.now()));
      armGapTimer();
    },
    send(apdu) {
      const name = apduName(apdu);
      if (closed) return Promise.reject(new ZvtLinkError('closed', name, `${name}: link closed`));
      const encoded = encodeApdu(apdu);
      return new Promise<void>((resolve, reject) => {
        queue.push({ name, bytes: serial ? encodeSerialBlock(encoded) : encoded, attempts: 0, naks: 0, timer: null, resolve, reject });
        next();
      });
    },
    close() {
      closed = true;
      gapTimer?.cancel();
      const pending = [...(current ? [current] : []), ...queue.splice(0)];
      current = null;
      for (const out of pending) fail(out, new ZvtLinkError('closed', out.name, `${out.name}: link closed`));
      framer.reset();
    },
  };
}
