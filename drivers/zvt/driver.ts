/**
 * The ZVT driver (the ECR side): polls a payment terminal with Status-Enquiry and nothing else.
 *
 * Timers (zvt-and-nexo.md §1.3), derived from the agent's per-request timeout `requestTimeoutMs`:
 *   T1  serial inter-byte gap             200 ms (spec)
 *   T2  serial block → ACK/NAK            min(requestTimeoutMs, 5 s); 2 repeats, so a mute
 *                                         terminal on a serial line is declared after 3 × T2
 *   T3  command → 80 00 / 84 xx           requestTimeoutMs (spec default 5 s); over TCP also
 *                                         the gap after which a partial APDU is dropped
 *   T4  80 00 → Completion / Abort        option `completionTimeout` (spec default 180 s),
 *                                         restarted by every message of the terminal and
 *                                         replaced by the minutes a 04 FF carries
 *
 * A Status-Enquiry hands master rights to the terminal, which may first run due time-controlled
 * events (automatic end-of-day, printing) [ZVT §2.56.2]. Everything it sends meanwhile
 * (04 FF, 04 0F, 06 D1, 06 D3, 04 01) is acknowledged with 80 00 00 until 06 0F or 06 1E ends
 * the exchange (exchange.ts); an automatic end-of-day seen on the way becomes `lastSettlementAt`.
 *
 * Registration, Log-Off, Diagnosis, End-of-Day and Selftest change terminal-wide settings,
 * contact the host, print or settle. They exist only behind `administer()`, which refuses unless
 * the option `allowStateChanging` is set, and nothing in the poll path calls it.
 */
import type { DeviceIdentity, Driver, DriverContext } from '../model.js';
import { type Apdu, apduName, toHex } from './apdu.js';
import { decodeText, parseStatusEnquiryCompletion, parseStatusInformation } from './bmp.js';
import { diagnosis, endOfDay, logOff, registration, selftest, statusEnquiry } from './commands.js';
import { createExchanger, type ExchangeKind } from './exchange.js';
import { assertFraming, type TransportFraming, zvtTimers } from './framing.js';
import type { Schedule } from './link-layer.js';
import { parseDuration, type ZvtOptions } from './options.js';
import { resultCodeText, stateResultCodes, toReading, type ZvtObservation, type ZvtReading } from './status.js';
import { findTlv, type TlvObject } from './tlv.js';

export type ZvtAdminCommand = 'registration' | 'log-off' | 'diagnosis' | 'end-of-day' | 'selftest';

export interface ZvtAdminResult {
  command: ZvtAdminCommand;
  /** The terminal completed the command (06 0F, or 80 00 for Log-Off). */
  completed: boolean;
  resultCode: number | null;
  text: string | null;
}

export interface ZvtDriver extends Driver {
  poll(): Promise<ZvtReading>;
  /**
   * Sends one state-changing command. Rejects with ZvtNotAllowedError, without sending a byte,
   * unless the option `allowStateChanging` is set.
   */
  administer(command: ZvtAdminCommand): Promise<ZvtAdminResult>;
}

/** The shared context, with the transport kind given as the framing it implies. */
export interface ZvtDriverContext extends Omit<DriverContext<ZvtOptions>, 'transport'> {
  /** Serial block framing with ACK/NAK (RS-232, USB-serial) or bare APDUs (TCP). */
  framing: TransportFraming;
  /** Timer for T1–T4; setTimeout unless a test injects a fake. */
  schedule?: Schedule;
}

export class ZvtNotAllowedError extends Error {
  override readonly name = 'ZvtNotAllowedError';
  constructor(readonly command: ZvtAdminCommand) {
    super(`${command} changes the terminal's state; set allowStateChanging: true to allow it`);
  }
}

/** The terminal refused or aborted a request with a result code that is not a terminal state. */
export class ZvtCommandError extends Error {
  override readonly name = 'ZvtCommandError';
  constructor(
    readonly request: string,
    readonly resultCode: number,
  ) {
    super(`${request} refused with result code ${toHex([resultCode])} (${resultCodeText(resultCode)})`);
  }
}

const defaultSchedule: Schedule = (delayMs, fn) => {
  const handle = setTimeout(fn, delayMs);
  return { cancel: () => clearTimeout(handle) };
};

export function createZvtDriver(ctx: ZvtDriverContext): ZvtDriver {
  assertFraming(ctx.framing);
  const { options, log } = ctx;
  const schedule = ctx.schedule ?? defaultSchedule;
  const overdueAfter = parseDuration(options.settlementOverdueAfter);

  const exchanger = createExchanger({
    framing: ctx.framing,
    link: ctx.link,
    schedule,
    now: () => ctx.now(),
    log,
    ackTimeoutMs: Math.min(ctx.requestTimeoutMs, zvtTimers.ackMs),
    responseTimeoutMs: ctx.requestTimeoutMs,
    completionTimeoutMs: parseDuration(options.completionTimeout),
  });
  let inflight: Promise<ZvtReading> | null = null;
  let identity: DeviceIdentity = emptyIdentity();
  /** Knowledge about the device rather than the connection: kept across reconnects. */
  let lastSettlementAt: number | null = null;

  const noteSettlement = (at: number) => {
    if (lastSettlementAt === null || at > lastSettlementAt) lastSettlementAt = at;
  };

  const learnIdentity = (softwareVersion: string | null, tlv: TlvObject[] | null) => {
    const text = (tag: number) => {
      const o = findTlv(tlv, tag);
      return o ? decodeText(o.value).replace(/[\0 ]+$/, '') : null;
    };
    const serialTlv = findTlv(tlv, 0x1f42);
    const serial = serialTlv && serialTlv.value.length > 0 ? toHex(serialTlv.value, '') : null;
    if (serial !== null && identity.serial !== null && serial !== identity.serial) {
      log.warn({ was: identity.serial, now: serial }, 'zvt terminal serial number changed: a different terminal answers');
      lastSettlementAt = null; // that settlement belonged to the other terminal
    }
    identity = {
      manufacturer: null, // ZVT has no field for it
      model: text(0x1f40) ?? identity.model,
      serial: serial ?? identity.serial,
      firmware: text(0x1f41) ?? softwareVersion ?? identity.firmware,
    };
  };

  const statusRound = async (serviceByte: number | null): Promise<ZvtReading> => {
    const name = 'Status-Enquiry 05 01';
    const { outcome, settledAt } = await exchanger.run(name, statusEnquiry(options.password, serviceByte));
    if (settledAt !== null) noteSettlement(settledAt);
    const seen = ctx.settlementSeenAt?.() ?? null;
    if (seen !== null) noteSettlement(seen);
    const reading = (o: Omit<ZvtObservation, 'lastSettlementAt' | 'settlementOverdueAfterMs' | 'now'>) =>
      toReading({ ...o, lastSettlementAt, settlementOverdueAfterMs: overdueAfter, now: ctx.now() });
    if (outcome.kind === 'refused') {
      // A terminal that refuses because it is busy or locked has told us its state.
      if (!stateResultCodes.has(outcome.resultCode)) throw new ZvtCommandError(name, outcome.resultCode);
      return reading({ terminalStatus: null, resultCode: outcome.resultCode, lockBits: null, deviceState: null, terminalId: null });
    }
    const completion = parseStatusEnquiryCompletion(outcome.data);
    if (completion.problem) log.debug({ data: toHex(outcome.data) }, `zvt status completion: ${completion.problem}`);
    learnIdentity(completion.softwareVersion, completion.tlv);
    const locks = findTlv(completion.tlv, 0x1f55)?.value;
    const state = findTlv(completion.tlv, 0x1f43)?.value;
    const tid = findTlv(completion.tlv, 0x1f44)?.value;
    return reading({
      terminalStatus: completion.terminalStatus,
      resultCode: null,
      lockBits: locks && locks.length > 0 ? (locks[0]! << 8) | (locks[1] ?? 0) : null,
      deviceState: state && state.length > 0 ? state[0]! : null,
      terminalId: tid && tid.length > 0 ? toHex(tid, '') : null,
    });
  };

  const adminCommand = (command: ZvtAdminCommand): ExchangeKind & { apdu: Apdu } => {
    switch (command) {
      case 'registration':
        return { apdu: registration(options.password, options.registrationConfigByte) };
      case 'log-off':
        return { apdu: logOff(), endsOnAccept: true };
      case 'diagnosis':
        return { apdu: diagnosis() };
      case 'end-of-day':
        return { apdu: endOfDay(options.password), endOfDay: true };
      case 'selftest':
        return { apdu: selftest() };
    }
  };

  return {
    async start() {
      exchanger.attach();
      if (!options.identify) return;
      // Same as the poll, but with the software version (bit 1 clear) for the firmware field.
      const svc = options.statusEnquiryServiceByte;
      try {
        await statusRound(svc === null ? null : svc & ~0x02);
      } catch (error) {
        log.warn({ err: String(error) }, 'zvt identity not read; polling continues');
      }
    },

    poll() {
      if (inflight) return inflight;
      const round: Promise<ZvtReading> = statusRound(options.statusEnquiryServiceByte).finally(() => {
        if (inflight === round) inflight = null;
      });
      inflight = round;
      return round;
    },

    async administer(command) {
      if (!options.allowStateChanging) throw new ZvtNotAllowedError(command);
      const spec = adminCommand(command);
      const { outcome, settledAt } = await exchanger.run(`${command} ${apduName(spec.apdu)}`, spec.apdu, spec);
      if (outcome.kind === 'refused') {
        return { command, completed: false, resultCode: outcome.resultCode, text: resultCodeText(outcome.resultCode) };
      }
      const rc = outcome.data.length > 0 ? parseStatusInformation(outcome.data).resultCode : null;
      if (command === 'end-of-day' && (rc === null || rc === 0x00)) noteSettlement(settledAt ?? ctx.now());
      return { command, completed: true, resultCode: rc, text: rc === null ? null : resultCodeText(rc) };
    },

    identity() {
      return { ...identity };
    },

    stop() {
      inflight = null;
      exchanger.detach();
      identity = emptyIdentity();
    },
  };
}

function emptyIdentity(): DeviceIdentity {
  return { manufacturer: null, model: null, serial: null, firmware: null };
}
