/**
 * The till's side of ZVT (the ECR): the payment module of till software, running payments and
 * end-of-day one at a time against a terminal, so a test can put real traffic through a terminal
 * or through posdiag's passthrough in front of one.
 *
 * The exchange itself (serial ACK/NAK and repeats, T2–T4, answering every terminal message with
 * 80 00 00, TCP framing) is exchange.ts, the same code the driver polls with. This module adds
 * what a till cares about: was the payment approved, and a record of every APDU both ways, taken
 * from the bytes on the link, so it can be compared with what the terminal saw.
 *
 * How an ending is read [ZVT PA00P015 §2.8, §3.1–3.3]:
 *   06 0F Completion         approved when its result code (BMP 27), else the last 04 0F's, is 00;
 *                            declined otherwise
 *   06 1E Abort              declined when a Status-Information with a result code other than 00
 *                            came first (the issuer said no: the terminal ran the card);
 *                            refused otherwise (locked, not logged on, aborted before the card)
 *   84 xx to the command     refused (busy, unknown, not allowed)
 *
 * Pure: the link, the clock and the timers come in.
 */
import { DeviceTimeoutError, type DeviceLink, type DriverLog } from '../model.js';
import { type Apdu, toHex } from './apdu.js';
import { bcdNumber, findBmp, parseStatusInformation } from './bmp.js';
import { createFramer } from './codec.js';
import { authorisation, endOfDay } from './commands.js';
import { createExchanger, type ExchangeKind, type Outcome } from './exchange.js';
import { type TransportFraming, zvtTimers } from './framing.js';
import { type Schedule, ZvtLinkError } from './link-layer.js';

export type TillCommand = 'payment' | 'end-of-day';

export type TillOutcome = 'approved' | 'declined' | 'refused' | 'timeout' | 'link-error';

export type ApduDirection = 'ecr->pt' | 'pt->ecr';

/** One APDU on the link, without serial framing. `at` is the clock's time (epoch ms in the CLI). */
export interface ApduRecord {
  at: number;
  dir: ApduDirection;
  /** Upper-case hex, bytes separated by spaces: "06 01 07 04 00 00 00 00 10 00". */
  hex: string;
}

export interface TillResult {
  command: TillCommand;
  outcome: TillOutcome;
  /** 00 when approved; the terminal's result code otherwise; null when it never gave one (timeout, link error). */
  resultCode: number | null;
  /**
   * BMP 04 of the terminal's last Status-Information: the amount paid, or the batch total an
   * end-of-day settled. Null when none came.
   */
  amountMinor: number | null;
  durationMs: number;
  /** Every APDU both ways from the command to its end, in line order. */
  apdus: ApduRecord[];
  /** What went wrong, for a timeout or link error; null otherwise. */
  error: string | null;
}

export interface ZvtTillOptions {
  framing: TransportFraming;
  link: DeviceLink;
  schedule: Schedule;
  now(): number;
  /** The terminal's password, for End-of-Day. Default 000000. */
  password?: string;
  /** T2, serial ACK wait. Default 5 s. */
  ackTimeoutMs?: number;
  /** T3, command → 80 00 / 84 xx. Default 5 s. */
  responseTimeoutMs?: number;
  /** T4, 80 00 → Completion / Abort, restarted by every 04 FF and 04 0F. Default 180 s. */
  completionTimeoutMs?: number;
  /** Every APDU both ways as it passes, including any outside a command (a capture file). */
  onApdu?(record: ApduRecord): void;
  log?: DriverLog;
}

export interface ZvtTill {
  /** Authorisation 06 01 for `amountMinor` cents, EUR. Never rejects: failures are outcomes. */
  payment(amountMinor: number): Promise<TillResult>;
  /** End-of-Day 06 50: settles the terminal's batch. */
  endOfDay(): Promise<TillResult>;
  /** Drops the running command (it ends as a link error) and stops listening to the link. */
  close(): void;
}

interface Running {
  apdus: ApduRecord[];
  /** The last Status-Information (04 0F) of this command. */
  lastStatus: { resultCode: number | null; amountMinor: number | null } | null;
}

const silentLog: DriverLog = { debug() {}, info() {}, warn() {} };

export function createZvtTill(o: ZvtTillOptions): ZvtTill {
  let running: Running | null = null;
  let chain: Promise<unknown> = Promise.resolve();
  let closed = false;

  const record = (dir: ApduDirection, apdu: Apdu, bytes: Uint8Array) => {
    const entry: ApduRecord = { at: o.now(), dir, hex: toHex(bytes) };
    o.onApdu?.(entry);
    if (!running) return;
    running.apdus.push(entry);
    if (dir === 'pt->ecr' && apdu.cls === 0x04 && apdu.ins === 0x0f) {
      const info = parseStatusInformation(apdu.data);
      const amount = findBmp(info.fields, 0x04)?.value;
      running.lastStatus = { resultCode: info.resultCode, amountMinor: amount ? bcdNumber(amount) : null };
    }
  };

  // The record is read from the bytes themselves, with framers of its own: what went over the
  // link (repeats included), not what the exchange meant to send.
  const tap = (dir: ApduDirection) => {
    const framer = createFramer(o.framing);
    return (chunk: Uint8Array) => {
      for (const event of framer.push(chunk, o.now())) if (event.type === 'apdu') record(dir, event.apdu, event.bytes);
    };
  };
  const sent = tap('ecr->pt');
  // Subscribed before the exchanger, so a terminal message is recorded before our answer to it.
  const unsubscribe = o.link.onData(tap('pt->ecr'));

  const exchanger = createExchanger({
    framing: o.framing,
    link: {
      write(bytes) {
        sent(bytes);
        return o.link.write(bytes);
      },
      onData: (listener) => o.link.onData(listener),
    },
    schedule: o.schedule,
    now: o.now,
    log: o.log ?? silentLog,
    ackTimeoutMs: o.ackTimeoutMs ?? zvtTimers.ackMs,
    responseTimeoutMs: o.responseTimeoutMs ?? zvtTimers.responseMs,
    completionTimeoutMs: o.completionTimeoutMs ?? zvtTimers.completionMs,
  });
  exchanger.attach();

  const runOne = async (command: TillCommand, name: string, apdu: Apdu, kind: ExchangeKind): Promise<TillResult> => {
    const started = o.now();
    const run: Running = { apdus: [], lastStatus: null };
    running = run;
    const finish = (outcome: TillOutcome, resultCode: number | null, error: string | null): TillResult => {
      if (running === run) running = null;
      return { command, outcome, resultCode, amountMinor: run.lastStatus?.amountMinor ?? null, durationMs: o.now() - started, apdus: run.apdus, error };
    };
    // The exchanger would quietly attach to the link again; a closed till stays closed.
    if (closed) return finish('link-error', null, `${name}: the till is closed`);
    try {
      const { outcome } = await exchanger.run(name, apdu, kind);
      const ending = readEnding(outcome, run.lastStatus?.resultCode ?? null);
      return finish(ending.outcome, ending.resultCode, null);
    } catch (error) {
      if (error instanceof DeviceTimeoutError) return finish('timeout', null, error.message);
      if (error instanceof ZvtLinkError) return finish('link-error', null, error.message);
      throw error;
    }
  };

  // One command at a time, as a till runs them; a second call waits for the first to end.
  const queue = (command: TillCommand, name: string, apdu: Apdu, kind: ExchangeKind = {}): Promise<TillResult> => {
    const result = chain.then(() => runOne(command, name, apdu, kind));
    chain = result.catch(() => undefined);
    return result;
  };

  return {
    payment: (amountMinor) => queue('payment', 'Authorisation 06 01', authorisation(amountMinor)),
    endOfDay: () => queue('end-of-day', 'End-of-Day 06 50', endOfDay(o.password ?? '000000'), { endOfDay: true }),
    close() {
      closed = true;
      exchanger.detach();
      unsubscribe();
    },
  };
}

/** See the table at the top. `statusResult`: BMP 27 of the command's last 04 0F, if any. */
function readEnding(outcome: Outcome, statusResult: number | null): { outcome: TillOutcome; resultCode: number } {
  if (outcome.kind === 'completed') {
    const resultCode = parseStatusInformation(outcome.data).resultCode ?? statusResult ?? 0x00;
    return { outcome: resultCode === 0x00 ? 'approved' : 'declined', resultCode };
  }
  const issuerSaidNo = statusResult !== null && statusResult !== 0x00;
  return { outcome: issuerSaidNo ? 'declined' : 'refused', resultCode: outcome.resultCode };
}
