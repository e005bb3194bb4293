/**
 * What a ZVT terminal's answers mean for the shared status vocabulary. Pure tables and one
 * function from observations to a reading; the driver gathers the observations.
 *
 * Sources: terminal status codes [ZVT PA00P015 §11], result codes [§10], lock bits (TLV 1F55)
 * and device state (TLV 1F43) [§9.4]; the health mapping of zvt-and-nexo.md §1.8 and §1.11.
 */
import type { DeviceReading } from '../model.js';

/** One consequence of a code or bit. Several codes can have the same consequence. */
export type ZvtEffect =
  | 'locked'
  | 'not_logged_on'
  | 'card_reader_fault'
  | 'card_inserted'
  | 'busy'
  | 'maintenance'
  | 'out_of_order'
  | 'settlement_required'
  | 'printer_not_ready'
  | 'low_power'
  | 'tamper';

interface CodeMeaning {
  text: string;
  effects: readonly ZvtEffect[];
}

const m = (text: string, ...effects: ZvtEffect[]): CodeMeaning => ({ text, effects });

/** Terminal status byte of the Status-Enquiry Completion [ZVT §11]. */
export const terminalStatusCodes: ReadonlyMap<number, CodeMeaning> = new Map([
  [0x00, m('PT ready')],
  [0x51, m('Initialisation required', 'locked', 'not_logged_on')],
  // Not ready until date/time is set or a diagnosis runs (§11.1), so the terminal is locked.
  [0x62, m('Date/time incorrect', 'locked')],
  [0x9c, m('Please wait (e.g. software update, automatic end-of-day)', 'busy')],
  [0x9d, m('Partial issue of goods')],
  [0xb1, m('Memory full: end-of-day required', 'settlement_required')],
  [0xb2, m('Merchant journal full')],
  [0xbf, m('Voltage supply too low', 'low_power')],
  [0xc0, m('Card locking mechanism defective', 'card_reader_fault')],
  [0xc1, m('Merchant card locked', 'locked')],
  [0xc2, m('Diagnosis required', 'locked')],
  [0xc4, m('Card profile invalid: new profiles needed', 'locked')],
  [0xcc, m('Printer not ready', 'printer_not_ready')],
  // The PT is ready and a card sits in the reader: a payment in progress, not a fault.
  [0xdc, m('Card inserted', 'card_inserted')],
  [0xdf, m('Out of order', 'out_of_order', 'locked')],
  [0xe0, m('Remote maintenance activated', 'maintenance')],
  // The customer has not taken the card yet; clears when they do.
  [0xe1, m('Card not completely removed', 'card_inserted')],
  [0xe2, m('Card reader does not answer / defective', 'card_reader_fault')],
  [0xe3, m('Shutter closed', 'card_reader_fault')],
  [0xe4, m('Terminal activation required', 'locked', 'not_logged_on')],
  [0xf0, m('Reconciliation required: end-of-day needed', 'settlement_required')],
  [0xf6, m('OPT data not available', 'locked')],
]);

/** Terminal statuses that mean "PT ready": everything not reported is fine. */
const readyStatuses = new Set([0x00, 0xdc, 0xe1]);

/**
 * Result codes (84 xx, 06 1E) that say something about the terminal's state when they answer a
 * Status-Enquiry [ZVT §10]. Other result codes are errors of the exchange, not readings.
 * Note 01–63 are host codes: 51 and 62 here do not mean what the terminal statuses 51 and 62 do.
 */
export const stateResultCodes: ReadonlyMap<number, CodeMeaning> = new Map([
  [0x6b, m('Function deactivated (PT not registered)', 'not_logged_on')],
  [0x9c, m('Please wait', 'busy')],
  [0xa0, m('Receiver not ready', 'busy')],
  [0xb1, m('Memory full', 'settlement_required')],
  [0xbf, m('Voltage supply too low', 'low_power')],
  [0xc0, m('Card locking mechanism defective', 'card_reader_fault')],
  [0xc1, m('Merchant card locked', 'locked')],
  [0xc2, m('Diagnosis required', 'locked')],
  [0xc4, m('Card profile invalid', 'locked')],
  [0xcc, m('Printer not ready', 'printer_not_ready')],
  [0xdc, m('Card inserted', 'card_inserted')],
  [0xe0, m('Remote maintenance activated', 'maintenance')],
  [0xe2, m('Card reader not answering / defective', 'card_reader_fault')],
  [0xe3, m('Shutter closed', 'card_reader_fault')],
  [0xe4, m('Terminal activation required', 'locked', 'not_logged_on')],
  [0xf0, m('Open end-of-day batch present', 'settlement_required')],
  [0xf6, m('OPT data not available', 'locked')],
]);

/** A few more result codes, for messages only. */
const resultCodeTexts: ReadonlyMap<number, string> = new Map([
  [0x00, 'no error'],
  [0x6c, 'abort via timeout or abort key'],
  [0x77, 'end-of-day batch not possible'],
  [0x7d, 'communication error'],
  [0x83, 'function not possible'],
  [0x9a, 'ZVT protocol error'],
  [0x9b, 'dial-up / communication fault'],
  [0xa1, 'remote station does not respond'],
  [0xa3, 'no connection'],
  [0xff, 'system error'],
]);

export function resultCodeText(rc: number): string {
  return stateResultCodes.get(rc)?.text ?? resultCodeTexts.get(rc) ?? (rc >= 0x01 && rc <= 0x63 ? 'host / authorisation system error' : 'unknown result code');
}

export type ZvtLockName =
  | 'reconciliation'
  | 'initialisation'
  | 'diagnosis'
  | 'service'
  | 'out_of_order'
  | 'printer'
  | 'start_up'
  | 'secure_module_changed'
  | 'transaction_log_defective'
  | 'card_reader_not_found'
  | 'card_inserted'
  | 'secure_link_not_ready'
  | 'activation_needed'
  | 'low_battery'
  | 'contactless_not_initialised'
  | 'mdb_not_ready';

/**
 * TLV 1F55 "terminal locks", read as one 16-bit number (first byte high) [ZVT §9.4]. The names
 * follow the spec's MSB = bit 7 reading; a CCV manual suggests the opposite order for 0x40/0x02
 * of byte 1 (zvt-and-nexo.md §1.9, UNCERTAIN), so the raw value is reported too.
 */
export const zvtLockBits: readonly { mask: number; name: ZvtLockName; effects: readonly ZvtEffect[] }[] = [
  { mask: 0x8000, name: 'reconciliation', effects: ['locked', 'settlement_required'] },
  { mask: 0x4000, name: 'initialisation', effects: ['locked', 'not_logged_on'] },
  { mask: 0x2000, name: 'diagnosis', effects: ['locked'] },
  { mask: 0x1000, name: 'service', effects: ['locked'] },
  { mask: 0x0800, name: 'out_of_order', effects: ['out_of_order', 'locked'] },
  { mask: 0x0400, name: 'printer', effects: ['locked', 'printer_not_ready'] },
  { mask: 0x0200, name: 'start_up', effects: ['locked', 'not_logged_on'] },
  // The secure module was exchanged: the terminal's own tamper evidence.
  { mask: 0x0100, name: 'secure_module_changed', effects: ['locked', 'tamper'] },
  { mask: 0x0080, name: 'transaction_log_defective', effects: ['locked'] },
  { mask: 0x0040, name: 'card_reader_not_found', effects: ['card_reader_fault'] },
  { mask: 0x0020, name: 'card_inserted', effects: ['card_inserted'] },
  { mask: 0x0010, name: 'secure_link_not_ready', effects: ['locked'] },
  { mask: 0x0008, name: 'activation_needed', effects: ['locked', 'not_logged_on'] },
  { mask: 0x0004, name: 'low_battery', effects: ['low_power'] },
  { mask: 0x0002, name: 'contactless_not_initialised', effects: ['card_reader_fault'] },
  { mask: 0x0001, name: 'mdb_not_ready', effects: ['locked'] },
];

/** TLV 1F43 device state [ZVT §9.4]. */
export const deviceStates: ReadonlyMap<number, CodeMeaning> = new Map([
  [0x00, m('ready')],
  [0x01, m('initialisation needed', 'locked', 'not_logged_on')],
  [0x02, m('no keys loaded', 'locked', 'not_logged_on')],
  [0x03, m('fraud', 'locked', 'tamper')],
]);

/** ZVT facts the shared DeviceReading has no field for. */
export interface ZvtDetails {
  /** Terminal status byte of the last Status-Enquiry Completion [ZVT §11], or null. */
  terminalStatus: number | null;
  /** Result code when the terminal refused the Status-Enquiry (84 xx) or aborted it (06 1E). */
  resultCode: number | null;
  /** What the status or result code means, in English. */
  text: string | null;
  outOfOrder: boolean | null;
  /** The terminal itself says an end-of-day is required (status F0/B1, lock bit, result code F0). */
  settlementRequired: boolean | null;
  /** settlementRequired, or the last end-of-day seen is older than `settlementOverdueAfter`. */
  settlementOverdue: boolean | null;
  printerNotReady: boolean | null;
  lowPower: boolean | null;
  cardInserted: boolean | null;
  /** TLV 1F55, first byte high; null when the terminal did not send it. */
  lockBits: number | null;
  locks: ZvtLockName[];
  /** TLV 1F43: 00 ready, 01 initialisation needed, 02 no keys, 03 fraud. */
  deviceState: number | null;
  /** TLV 1F44 terminal id (TID). */
  terminalId: string | null;
}

export interface ZvtReading extends DeviceReading {
  zvt: ZvtDetails;
}

export interface ZvtObservation {
  terminalStatus: number | null;
  resultCode: number | null;
  lockBits: number | null;
  deviceState: number | null;
  terminalId: string | null;
  /** Epoch ms of the last end-of-day the driver saw, or null. */
  lastSettlementAt: number | null;
  settlementOverdueAfterMs: number;
  now: number;
}

export function toReading(o: ZvtObservation): ZvtReading {
  const effects = new Set<ZvtEffect>();
  let text: string | null = null;
  if (o.terminalStatus !== null) {
    const meaning = terminalStatusCodes.get(o.terminalStatus);
    // An unknown status other than 00 still means "not ready" (§11); say so, not "ok".
    for (const e of meaning?.effects ?? ['maintenance']) effects.add(e as ZvtEffect);
    text = meaning?.text ?? `unknown terminal status ${hex(o.terminalStatus)}`;
  }
  if (o.resultCode !== null) {
    for (const e of stateResultCodes.get(o.resultCode)?.effects ?? []) effects.add(e);
    text ??= resultCodeText(o.resultCode);
  }
  const locks = o.lockBits === null ? [] : zvtLockBits.filter((b) => (o.lockBits! & b.mask) !== 0);
  for (const lock of locks) for (const e of lock.effects) effects.add(e);
  if (o.deviceState !== null) for (const e of deviceStates.get(o.deviceState)?.effects ?? []) effects.add(e);

  // What is not reported is known to be fine only when the terminal said "ready" or sent its lock
  // bits; a single other status code (e.g. CC) hides whatever else may be wrong.
  const complete = (o.terminalStatus !== null && readyStatuses.has(o.terminalStatus)) || o.lockBits !== null;
  const flag = (e: ZvtEffect): boolean | null => (effects.has(e) ? true : complete ? false : null);

  const settlementRequired = flag('settlement_required');
  const stale = o.lastSettlementAt !== null && o.now - o.lastSettlementAt > o.settlementOverdueAfterMs;
  const settlementOverdue =
    settlementRequired === true || stale ? true : settlementRequired === false || o.lastSettlementAt !== null ? false : null;
  const notLoggedOn = flag('not_logged_on');
  const cardInserted = flag('card_inserted');

  return {
    power: 'online',
    globalStatus: effects.has('maintenance') || effects.has('out_of_order') ? 'maintenance' : effects.has('busy') || cardInserted ? 'busy' : 'ok',
    printer: null,
    cardReader: effects.has('card_reader_fault') ? 'fault' : complete ? 'ok' : 'unknown',
    locked: flag('locked'),
    loggedOn: notLoggedOn === null ? null : !notLoggedOn,
    tamper: effects.has('tamper') ? true : o.lockBits !== null || o.deviceState !== null ? false : null,
    lastSettlementAt: o.lastSettlementAt === null ? null : new Date(o.lastSettlementAt).toISOString(),
    outOfOrder: flag('out_of_order'),
    settlementDue: settlementOverdue,
    zvt: {
      terminalStatus: o.terminalStatus,
      resultCode: o.resultCode,
      text,
      outOfOrder: flag('out_of_order'),
      settlementRequired,
      settlementOverdue,
      printerNotReady: flag('printer_not_ready'),
      lowPower: flag('low_power'),
      cardInserted,
      lockBits: o.lockBits,
      locks: locks.map((l) => l.name),
      deviceState: o.deviceState,
      terminalId: o.terminalId,
    },
  };
}

function hex(b: number): string {
  return b.toString(16).toUpperCase().padStart(2, '0');
}
