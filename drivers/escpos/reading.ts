/**
 * Decoded ESC/POS status → the shared DeviceReading vocabulary. Pure.
 *
 * Mapping rules (§5.2, "PowerState = reachability; conditions go in dedicated fields", refined
 * by UPOS PS_OFFLINE = "on but not ready"):
 * - power: the printer answered, so it is on. 'offline' when it says it has stopped (DLE EOT 1
 *   bit 3 / ASB byte 1 bit 3), else 'online'. A silent printer never gets here: the driver
 *   rejects with DeviceTimeoutError and the agent decides what "off" means.
 * - printer.status: the worst condition, out_of_order (unrecoverable) > paper_jam (autocutter
 *   error, usually paper jammed at the cutter) > no_paper > paper_low > ok. A cover open or an
 *   overheated head has no nexo status of its own; they show in coverOpen /
 *   autoRecoverableError, in `offline`, and in globalStatus.
 * - globalStatus: 'maintenance' while the printer answers but cannot print, else 'ok'.
 * - Terminal-only fields are null: a receipt printer cannot tell them.
 */
import type { DeviceReading, PrinterReading, PrinterStatus } from '../model.js';
import {
  decodeEot1,
  decodeEot2,
  decodeEot3,
  decodeEot4,
  type AsbMessage,
  type Decoded,
  type Eot1Printer,
  type Eot2OfflineCause,
  type Eot3ErrorCause,
  type Eot4RollPaper,
} from './codec.js';

export function toReading(
  eot1: Eot1Printer,
  eot2: Eot2OfflineCause,
  eot3: Eot3ErrorCause,
  eot4: Eot4RollPaper,
): DeviceReading {
  return readingFromPrinter({
    offline: eot1.offline,
    coverOpen: eot2.coverOpen,
    paperLow: eot4.nearEnd,
    // EOT 2 bit 5 also covers a near-end sensor configured to stop printing (ESC c 4, §2.2):
    // either way no receipt comes out.
    paperOut: eot4.paperEnd || eot2.stoppedByPaperEnd,
    cutterError: eot3.autocutterError,
    unrecoverableError: eot3.unrecoverableError,
    autoRecoverableError: eot3.autoRecoverableError,
    drawerPin3High: eot1.drawerPin3High,
  });
}

/** The raw DLE EOT 1-4 reply bytes, validated and mapped; the first invalid byte gives the error. */
export function readingFromEotBytes(b1: number, b2: number, b3: number, b4: number): Decoded<DeviceReading> {
  const eot1 = decodeEot1(b1);
  if (!eot1.ok) return eot1;
  const eot2 = decodeEot2(b2);
  if (!eot2.ok) return eot2;
  const eot3 = decodeEot3(b3);
  if (!eot3.ok) return eot3;
  const eot4 = decodeEot4(b4);
  if (!eot4.ok) return eot4;
  return { ok: true, value: toReading(eot1.value, eot2.value, eot3.value, eot4.value) };
}

export function asbToReading(asb: AsbMessage): DeviceReading {
  return readingFromPrinter({
    offline: asb.offline,
    coverOpen: asb.coverOpen,
    paperLow: asb.paperNearEnd,
    paperOut: asb.paperEnd,
    cutterError: asb.autocutterError,
    unrecoverableError: asb.unrecoverableError,
    autoRecoverableError: asb.autoRecoverableError,
    drawerPin3High: asb.drawerPin3High,
  });
}

type Conditions = Omit<PrinterReading, 'status'>;

export function printerStatusOf(c: Conditions): PrinterStatus {
  if (c.unrecoverableError) return 'out_of_order';
  if (c.cutterError) return 'paper_jam';
  if (c.paperOut) return 'no_paper';
  if (c.paperLow) return 'paper_low';
  return 'ok';
}

function readingFromPrinter(c: Conditions): DeviceReading {
  const printer: PrinterReading = { status: printerStatusOf(c), ...c };
  // A real printer sets the offline bit for every stop cause; the causes are checked as well so
  // a printer that reports a cause without the bit is still not shown as ready.
  const stopped = c.offline || c.coverOpen || c.paperOut || c.cutterError || c.unrecoverableError;
  return {
    power: c.offline ? 'offline' : 'online',
    globalStatus: stopped ? 'maintenance' : 'ok',
    printer,
    cardReader: null,
    locked: null,
    loggedOn: null,
    tamper: null,
    lastSettlementAt: null,
    outOfOrder: null,
    settlementDue: null,
  };
}
