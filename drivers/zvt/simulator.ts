/**
 * A ZVT payment terminal (the PT side), for tests, demos and `posdiag simulate`.
 *
 * It answers Status-Enquiry from switchable faults, and runs enough of Authorisation (06 01),
 * End-of-Day (06 50), Registration, Log-Off, Diagnosis, Selftest, Send Turnover Totals and Abort
 * for a till-side client to complete them. Payments are approved, or declined as the
 * `declineEvery` fault says. It always sends intermediate status (as if registered
 * with config-byte bit 08). While a payment or end-of-day runs it answers other commands with
 * 84 9C ("please wait"): the terminal is busy, not faulty.
 *
 * Each message it sends as master waits for the ECR's 80 00 00 before the next one
 * (simulator-flow.ts). Faults are plain values (simulator-faults.ts). All timing goes through
 * the injected scheduler.
 */
import type { Simulator, SimulatorContext } from '../model.js';
import { type Apdu, apdu } from './apdu.js';
import { decodeBmps, encodeBcd, findBmp } from './bmp.js';
import {
  completion,
  intermediateStatus,
  positiveReply,
  printLine,
  printTextBlock,
  ptAbort,
  statusEnquiryCompletion,
  statusInformation,
  unknownCommandReply,
} from './commands.js';
import { assertFraming, type TransportFraming } from './framing.js';
import { createLinkLayer, type LinkLayer } from './link-layer.js';
import { checkZvtFaults, defaultZvtFaults, type ZvtFaults } from './simulator-faults.js';
import { createFlowRunner, type FlowKind, type FlowRunner, type Step } from './simulator-flow.js';
import type { TlvInput } from './tlv.js';

export { defaultZvtFaults, zvtFaultNames, type ZvtFaults } from './simulator-faults.js';

export interface ZvtSimulatorContext extends Omit<SimulatorContext, 'transport'> {
  framing: TransportFraming;
  /** Clock for receipts and the settlement age; Date.now unless a test injects one. */
  now?: () => number;
  /** The simulated terminal's identity. */
  model?: string;
  firmware?: string;
}

const terminalId = '52523535';
const dayMs = 24 * 3_600_000;
/** Statuses in which the terminal refuses payments and end-of-day [ZVT §7.1]. */
const lockingStatuses = new Set([0x51, 0x62, 0xc1, 0xc2, 0xc4, 0xdf, 0xe2, 0xe3, 0xc0, 0xe4, 0xf6, 0xbf]);

export function createZvtSimulator(ctx: ZvtSimulatorContext): Simulator<ZvtFaults> {
  assertFraming(ctx.framing);
  const now = ctx.now ?? Date.now;
  const model = ctx.model ?? 'posdiag ZVT simulator';
  const firmware = ctx.firmware ?? 'SIM-1.0.0';
  let faults = defaultZvtFaults();
  let seed = 0x2f6b_1d37;
  let trace = 1;
  let receipt = 1;
  let firstReceiptOfBatch = 1;
  let batch = { count: 0, total: 0 };
  /** Payments that reached the card since `declineEvery` was last set; picks which ones to decline. */
  let paymentsSinceDeclineSet = 0;
  const timers = new Set<{ cancel(): void }>();

  const schedule = (ms: number, fn: () => void) => {
    const handle = ctx.schedule(ms, () => {
      timers.delete(handle);
      fn();
    });
    timers.add(handle);
    return {
      cancel() {
        handle.cancel();
        timers.delete(handle);
      },
    };
  };

  const random = () => {
    // mulberry32: deterministic noise, so failures reproduce
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  const noiseBytes = (printable: boolean) => {
    const n = 4 + Math.floor(random() * 12);
    return Uint8Array.from({ length: n }, () => (printable ? 0x20 + Math.floor(random() * 95) : Math.floor(random() * 256)));
  };

  const link: LinkLayer = createLinkLayer({
    framing: ctx.framing,
    write: (bytes) => {
      if (faults.noise) ctx.send(noiseBytes(true));
      ctx.send(bytes);
    },
    schedule,
    now,
    onApdu: (a) => onCommand(a),
  });

  const transmit = (a: Apdu) => {
    const go = () => void link.send(a).catch(() => flows.abandon());
    if (faults.slowMs > 0) schedule(faults.slowMs, go);
    else go();
  };

  // -- state the faults imply -------------------------------------------------------------------

  const settlementDue = () => faults.lastSettlementAt !== null && now() - Date.parse(faults.lastSettlementAt) > dayMs;

  const effectiveStatus = () => {
    if (faults.terminalStatus !== 0x00) return faults.terminalStatus;
    if (faults.loggedOff) return 0x51;
    if (faults.cardReaderFault) return 0xe2;
    if (settlementDue()) return 0xf0;
    return 0x00;
  };

  const effectiveLocks = () =>
    (faults.lockBits |
      (faults.loggedOff ? 0x4000 : 0) |
      (faults.tamper ? 0x0100 : 0) |
      (faults.cardReaderFault ? 0x0040 : 0) |
      (settlementDue() ? 0x8000 : 0)) &
    0xffff;

  const deviceState = () => (faults.tamper ? 0x03 : faults.loggedOff ? 0x01 : 0x00);

  const serialBytes = () => Uint8Array.from(Buffer.from(faults.serialNumber, 'hex'));

  // -- flows ------------------------------------------------------------------------------------

  const flows: FlowRunner = createFlowRunner({ transmit, schedule, extraWaitMs: () => faults.slowMs });

  const startFlow = (kind: FlowKind, steps: Step[]) => {
    flows.abandon();
    transmit(positiveReply); // the command is accepted; the terminal is master now
    flows.start(kind, steps);
  };

  const totalsFields = () => {
    const d = new Date(now());
    const pad = (n: number) => String(n).padStart(2, '0');
    // BMP 60: receipt numbers from/to, then 7 × (count, total) by card kind; all on girocard here.
    const perCard = [batch.count, ...encodeBcd(String(batch.total), 6)];
    const empty = Array.from({ length: 6 * 7 }, () => 0);
    const totals = [...encodeBcd(String(firstReceiptOfBatch), 2), ...encodeBcd(String(Math.max(receipt - 1, firstReceiptOfBatch)), 2), ...perCard, ...empty];
    return [
      { bmp: 0x27, value: [0x00] },
      { bmp: 0x04, value: encodeBcd(String(batch.total), 6) },
      { bmp: 0x0b, value: encodeBcd(String(trace), 3) },
      { bmp: 0x0c, value: encodeBcd(`${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`, 3) },
      { bmp: 0x0d, value: encodeBcd(`${pad(d.getMonth() + 1)}${pad(d.getDate())}`, 2) },
      { bmp: 0x60, value: totals },
    ];
  };

  const settle = () => {
    faults = {
      ...faults,
      lastSettlementAt: new Date(now()).toISOString(),
      autoEndOfDay: false,
      terminalStatus: faults.terminalStatus === 0xf0 || faults.terminalStatus === 0xb1 ? 0x00 : faults.terminalStatus,
      lockBits: faults.lockBits & ~0x8000,
    };
    batch = { count: 0, total: 0 };
    firstReceiptOfBatch = receipt;
    trace++;
  };

  const endOfDaySteps = (auto: boolean): Step[] => {
    const steps: Step[] = [
      { send: intermediateStatus(auto ? 0x0f : 0x0e) },
      { send: printLine(auto ? 'AUTOMATISCHER KASSENSCHNITT' : 'KASSENSCHNITT') },
      { send: () => statusInformation(totalsFields()) },
      { run: settle },
    ];
    if (auto) steps.splice(2, 0, { send: printTextBlock(['Tagesabschluss', 'erfolgreich']) });
    return steps;
  };

  const statusCompletion = (serviceByte: number | null): Apdu => {
    const withVersion = serviceByte === null || (serviceByte & 0x02) === 0;
    const withTlv = serviceByte !== null && (serviceByte & 0x04) !== 0;
    const locks = effectiveLocks();
    const tlv: TlvInput[] = [
      { tag: 0x1f44, value: encodeBcd(terminalId, 4) },
      {
        tag: 0xe4,
        children: [
          { tag: 0x1f40, value: Buffer.from(model, 'latin1') },
          { tag: 0x1f41, value: Buffer.from(firmware, 'latin1') },
          { tag: 0x1f42, value: serialBytes() },
          { tag: 0x1f43, value: [deviceState()] },
        ],
      },
      { tag: 0x1f55, value: [locks >> 8, locks & 0xff] },
    ];
    return statusEnquiryCompletion(effectiveStatus(), withVersion ? firmware : null, withTlv ? tlv : null);
  };

  // -- commands ---------------------------------------------------------------------------------

  const onCommand = (a: Apdu) => {
    if (a.cls === 0x80 || a.cls === 0x84) {
      flows.onReply(a);
      return;
    }
    const key = (a.cls << 8) | a.ins;
    const busy = flows.kind === 'payment' || flows.kind === 'end-of-day';
    if (key === 0x06b0) {
      // Abort: allowed while the payment waits for the card [ZVT §2.23].
      if (flows.kind === 'payment') startFlow('admin', [{ send: ptAbort(0x6c) }]);
      else transmit(positiveReply);
      return;
    }
    if (busy) {
      transmit(apdu(0x84, 0x9c)); // please wait
      return;
    }
    const status = effectiveStatus();
    const locked = lockingStatuses.has(status) || faults.tamper;
    switch (key) {
      case 0x0501: {
        const serviceByte = a.data[3] === 0x03 && a.data.length >= 5 ? a.data[4]! : null;
        const steps: Step[] = faults.autoEndOfDay && !locked ? endOfDaySteps(true) : [];
        steps.push({ send: () => statusCompletion(serviceByte) });
        startFlow('status', steps);
        return;
      }
      case 0x0601: {
        if (faults.loggedOff || locked) {
          startFlow('admin', [{ send: ptAbort(faults.loggedOff ? 0x6b : status) }]);
          return;
        }
        const amount = findBmp(decodeBmps(a.data).fields, 0x04)?.value ?? encodeBcd('0', 6);
        const amountMinor = Number(Buffer.from(amount).toString('hex'));
        paymentsSinceDeclineSet++;
        const declined = faults.declineEvery > 0 && paymentsSinceDeclineSet % faults.declineEvery === 0;
        const resultCode = declined ? faults.declineResultCode : 0x00;
        startFlow('payment', [
          { send: intermediateStatus(0x0a) }, // insert card
          { wait: faults.paymentDelayMs },
          {
            run: () => {
              if (!declined) batch = { count: batch.count + 1, total: batch.total + amountMinor };
            },
          },
          {
            send: statusInformation([
              { bmp: 0x27, value: [resultCode] },
              { bmp: 0x04, value: amount },
              { bmp: 0x0b, value: encodeBcd(String(trace), 3) },
              { bmp: 0x29, value: encodeBcd(terminalId, 4) },
              { bmp: 0x49, value: encodeBcd('978', 2) },
              ...(declined ? [] : [{ bmp: 0x87, value: encodeBcd(String(receipt), 2) }]),
              { bmp: 0x8a, value: [0x05] },
            ]),
          },
          {
            run: () => {
              // A declined payment uses up a trace number but gets no receipt number of the batch.
              trace++;
              if (!declined) receipt++;
            },
          },
          // The issuer said no: the terminal ends with Abort and the result code [ZVT §3.3].
          { send: declined ? ptAbort(resultCode) : completion() },
        ]);
        return;
      }
      case 0x0650:
        if (locked && status !== 0xf0) {
          startFlow('admin', [{ send: ptAbort(status) }]);
          return;
        }
        startFlow('end-of-day', [...endOfDaySteps(false), { send: completion() }]);
        return;
      case 0x0610:
        startFlow('admin', [{ send: () => statusInformation(totalsFields()) }, { send: completion() }]);
        return;
      case 0x0600:
        startFlow('admin', [
          {
            send: completion([
              { bmp: 0x19, value: [0x00] },
              { bmp: 0x29, value: encodeBcd(terminalId, 4) },
              { bmp: 0x49, value: encodeBcd('978', 2) },
            ]),
          },
        ]);
        return;
      case 0x0602:
        transmit(positiveReply); // Log-Off has no completion [ZVT §2.24]
        return;
      case 0x0670:
        startFlow('admin', [
          { send: intermediateStatus(0xc9) },
          {
            run: () => {
              if (faults.terminalStatus === 0xc2) faults = { ...faults, terminalStatus: 0x00 };
              faults = { ...faults, lockBits: faults.lockBits & ~0x2000 };
            },
          },
          { send: completion() },
        ]);
        return;
      case 0x0679:
        startFlow('admin', [{ send: printLine('SELBSTTEST OK') }, { send: completion() }]);
        return;
      default:
        transmit(unknownCommandReply);
    }
  };

  return {
    receive(bytes) {
      if (faults.mute) return;
      if (faults.garbage) {
        const junk = noiseBytes(false);
        if (faults.slowMs > 0) schedule(faults.slowMs, () => ctx.send(junk));
        else ctx.send(junk);
        return;
      }
      link.receive(bytes);
    },
    faults() {
      return { ...faults };
    },
    setFaults(changes) {
      checkZvtFaults(changes);
      // "Every Nth payment" counts from now, so a test knows which payment is declined.
      if (changes.declineEvery !== undefined) paymentsSinceDeclineSet = 0;
      faults = { ...faults, ...changes };
      return { ...faults };
    },
    close() {
      flows.abandon();
      link.close();
      for (const t of [...timers]) t.cancel();
      timers.clear();
    },
  };
}

