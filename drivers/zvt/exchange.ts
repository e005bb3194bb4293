/**
 * One ECR command to the terminal, run to its end [ZVT PA00P015 §2, PA00P016 §5.1]:
 *
 *   ECR → PT  command                         (serial: until ACKed, T2 and repeats)
 *   PT → ECR  80 00 00 | 84 xx                within T3
 *   PT → ECR  [04 FF | 04 0F | 06 D1 | 06 D3 | 04 01]*   each answered 80 00 00, T4 restarted
 *   PT → ECR  06 0F | 06 1E                   within T4, answered 80 00 00
 *
 * Commands are run one at a time. An automatic end-of-day seen on the way (04 FF 0F/4F, then a
 * 04 0F with result 00) is reported as `settledAt`.
 */
import { DeviceTimeoutError, type DeviceLink, type DriverLog } from '../model.js';
import { type Apdu, apduName, isPositiveReply } from './apdu.js';
import { bmpDateTime, findBmp, parseAbort, parseIntermediateStatus, parseStatusInformation } from './bmp.js';
import { positiveReply, unknownCommandReply } from './commands.js';
import { type TransportFraming, zvtTimers } from './framing.js';
import { createLinkLayer, type LinkLayer, type Schedule, ZvtLinkError } from './link-layer.js';

export type Outcome =
  | { kind: 'completed'; data: Uint8Array }
  /** 84 xx to the command, or 06 1E from the terminal. */
  | { kind: 'refused'; resultCode: number; data: Uint8Array };

export interface ExchangeResult {
  outcome: Outcome;
  /** Epoch ms of an end-of-day completed during the exchange, or null. */
  settledAt: number | null;
}

export interface ExchangeKind {
  /** 80 00 ends the exchange (Log-Off has no Completion). */
  endsOnAccept?: boolean;
  /** Our own End-of-Day: its 04 0F carries the settlement. */
  endOfDay?: boolean;
}

export interface Exchanger {
  run(name: string, command: Apdu, kind?: ExchangeKind): Promise<ExchangeResult>;
  /** Drops the link layer, the running command and every queued one. */
  detach(): void;
  /** Subscribes to the link (done lazily by `run` as well). */
  attach(): void;
}

export interface ExchangerOptions {
  framing: TransportFraming;
  link: DeviceLink;
  schedule: Schedule;
  now(): number;
  log: DriverLog;
  /** T2 */
  ackTimeoutMs: number;
  /** T3 */
  responseTimeoutMs: number;
  /** T4 */
  completionTimeoutMs: number;
}

interface Operation {
  name: string;
  phase: 'sending' | 'response' | 'completion';
  kind: ExchangeKind;
  /** A 04 FF said the terminal started an automatic end-of-day. */
  autoEndOfDay: boolean;
  settledAt: number | null;
  t4: number;
  timer: { cancel(): void } | null;
  resolve(outcome: Outcome): void;
  reject(error: Error): void;
}

/** What a terminal may send while it holds master rights; everything else gets 84 83 00. */
const ptMessages = new Set([0x04ff, 0x040f, 0x0401, 0x06d1, 0x06d3, 0x060f, 0x061e]);

export function createExchanger(o: ExchangerOptions): Exchanger {
  const sends = zvtTimers.maxRepeats + 1;
  let link: LinkLayer | null = null;
  let unsubscribe: (() => void) | null = null;
  let current: Operation | null = null;
  let chain: Promise<unknown> = Promise.resolve();
  /** Bumped by detach(): commands queued before it are dropped. */
  let generation = 0;

  const attach = (): LinkLayer => {
    if (link) return link;
    const layer = createLinkLayer({
      framing: o.framing,
      write: (bytes) => o.link.write(bytes),
      schedule: o.schedule,
      now: o.now,
      onApdu: (a) => onApdu(a),
      onFrameError: (code, message) => o.log.debug({ code, discarded: layer.framer.discarded }, `zvt frame dropped: ${message}`),
      ackTimeoutMs: o.ackTimeoutMs,
      ...(o.framing === 'tcp' ? { interByteTimeoutMs: o.responseTimeoutMs } : {}),
    });
    link = layer;
    unsubscribe = o.link.onData((chunk) => layer.receive(chunk));
    return layer;
  };

  const reply = (a: Apdu) => {
    link?.send(a).catch((error: unknown) => o.log.debug({ err: String(error) }, 'zvt reply not delivered'));
  };

  const arm = (op: Operation, ms: number, onTimeout: () => void) => {
    op.timer?.cancel();
    op.timer = o.schedule(ms, onTimeout);
  };

  const armCompletion = (op: Operation) => arm(op, op.t4, () => op.reject(new DeviceTimeoutError(`${op.name} completion`, op.t4)));

  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn);
    chain = run.catch(() => undefined);
    return run;
  };

  const start = (name: string, command: Apdu, kind: ExchangeKind, resolve: (r: ExchangeResult) => void, reject: (e: Error) => void) => {
    const layer = attach();
    const finish = (op: Operation, settle: () => void) => {
      op.timer?.cancel();
      if (current !== op) return;
      current = null;
      settle();
    };
    const op: Operation = {
      name,
      phase: 'sending',
      kind,
      autoEndOfDay: false,
      settledAt: null,
      t4: o.completionTimeoutMs,
      timer: null,
      resolve: (outcome) => finish(op, () => resolve({ outcome, settledAt: op.settledAt })),
      reject: (error) => finish(op, () => reject(error)),
    };
    current = op;
    o.log.debug({ bytes: command.data.length }, `zvt tx ${name}`); // data not logged: it holds the password
    layer.send(command).then(
      () => {
        if (current !== op || op.phase !== 'sending') return;
        op.phase = 'response';
        arm(op, o.responseTimeoutMs, () => op.reject(new DeviceTimeoutError(name, o.responseTimeoutMs)));
      },
      (error: unknown) => {
        if (error instanceof ZvtLinkError && error.reason === 'no-ack') {
          op.reject(new DeviceTimeoutError(`${name} (no ACK to ${sends} sends)`, o.ackTimeoutMs * sends));
        } else {
          op.reject(error instanceof Error ? error : new Error(String(error)));
        }
      },
    );
  };

  const onApdu = (a: Apdu) => {
    const op = current;
    const key = (a.cls << 8) | a.ins;
    o.log.debug({ apdu: apduName(a), bytes: a.data.length }, 'zvt rx');
    if (a.cls === 0x80 || a.cls === 0x84) {
      if (!op || op.phase === 'completion') return; // late or stray reply
      if (!isPositiveReply(a)) {
        op.resolve({ kind: 'refused', resultCode: a.ins, data: a.data });
      } else if (op.kind.endsOnAccept) {
        op.resolve({ kind: 'completed', data: a.data });
      } else {
        op.phase = 'completion';
        armCompletion(op);
      }
      return;
    }
    // A command from the terminal: acknowledge first, as the terminal waits for it.
    reply(ptMessages.has(key) ? positiveReply : unknownCommandReply);
    if (!op) {
      o.log.debug({ apdu: apduName(a) }, 'zvt message outside an exchange acknowledged');
      return;
    }
    op.phase = 'completion'; // the terminal took master rights, so our command reached it
    switch (key) {
      case 0x04ff: {
        const status = parseIntermediateStatus(a.data);
        // 0F / 4F: the terminal starts its automatic end-of-day (ZVT §3.7, Table 17).
        if (status.code === 0x0f || status.code === 0x4f) op.autoEndOfDay = true;
        // The terminal may set a new T4, in minutes (ZVT §3.7).
        if (status.timeoutMinutes) op.t4 = status.timeoutMinutes * 60_000;
        armCompletion(op);
        return;
      }
      case 0x040f: {
        const info = parseStatusInformation(a.data);
        const totals = findBmp(info.fields, 0x60) ?? findBmp(info.fields, 0x04);
        if ((op.kind.endOfDay || op.autoEndOfDay) && (info.resultCode === 0x00 || (info.resultCode === null && totals))) {
          op.settledAt = bmpDateTime(info.fields, new Date(o.now())) ?? o.now();
        }
        armCompletion(op);
        return;
      }
      case 0x060f:
        op.resolve({ kind: 'completed', data: a.data });
        return;
      case 0x061e:
        op.resolve({ kind: 'refused', resultCode: parseAbort(a.data).resultCode ?? 0xff, data: a.data });
        return;
      default:
        armCompletion(op); // print lines, set date/time, unknown: the terminal is still working
    }
  };

  return {
    attach() {
      attach();
    },
    run(name, command, kind = {}) {
      const asked = generation;
      return exclusive(
        () =>
          new Promise<ExchangeResult>((resolve, reject) => {
            // Asked before a detach(): that connection is gone, and the command with it.
            if (asked !== generation) reject(new ZvtLinkError('closed', name, `${name}: link closed`));
            else start(name, command, kind, resolve, reject);
          }),
      );
    },
    detach() {
      generation++;
      unsubscribe?.();
      unsubscribe = null;
      const layer = link;
      link = null;
      current?.reject(new ZvtLinkError('closed', current.name, `${current.name}: link closed`));
      layer?.close();
    },
  };
}
