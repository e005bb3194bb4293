/** The faults of the ZVT simulator: plain values a test or `posdiag simulate` switches. */

export interface ZvtFaults {
  /** Terminal status byte reported by Status-Enquiry [ZVT §11]; 0 = PT ready. */
  terminalStatus: number;
  /** TLV 1F55 lock bits, first byte high. */
  lockBits: number;
  /** Fraud detected: device state 1F43 = 03 and lock bit "secure module changed". */
  tamper: boolean;
  /** Card reader defective: status E2 (unless terminalStatus is set) and lock bit "card reader not found". */
  cardReaderFault: boolean;
  /** Not initialised with the network operator: status 51, 1F43 = 01, initialisation lock; payments abort with 6B. */
  loggedOff: boolean;
  /** Answers nothing at all, not even ACK (software update, unplugged ECR port). */
  mute: boolean;
  /** Answers every chunk with random bytes only (wrong baud rate, wrong device). */
  garbage: boolean;
  /** Puts printable line noise before every message it sends; the messages stay valid. */
  noise: boolean;
  /** Delay before each application message (ACK/NAK stay immediate). */
  slowMs: number;
  /** TLV 1F42 serial number, as hex digits. */
  serialNumber: string;
  /** ISO time of the last end-of-day; more than 24 h ago makes the terminal demand reconciliation (F0). */
  lastSettlementAt: string | null;
  /** At the next Status-Enquiry, run a time-controlled automatic end-of-day before completing. */
  autoEndOfDay: boolean;
  /** How long the customer takes to present the card during a payment. */
  paymentDelayMs: number;
  /**
   * Declines every Nth payment, counted from when this is set (1: every payment; 0: none), as
   * the card issuer would: Status-Information with the result code, then Abort with it. The
   * amount does not go into the batch.
   */
  declineEvery: number;
  /** Result code of a declined payment [ZVT §10]: 01–63 come from the host; 05 is "do not honour". */
  declineResultCode: number;
}

export const zvtFaultNames = [
  'terminalStatus',
  'lockBits',
  'tamper',
  'cardReaderFault',
  'loggedOff',
  'mute',
  'garbage',
  'noise',
  'slowMs',
  'serialNumber',
  'lastSettlementAt',
  'autoEndOfDay',
  'paymentDelayMs',
  'declineEvery',
  'declineResultCode',
] as const satisfies readonly (keyof ZvtFaults)[];

export function defaultZvtFaults(): ZvtFaults {
  return {
    terminalStatus: 0x00,
    lockBits: 0x0000,
    tamper: false,
    cardReaderFault: false,
    loggedOff: false,
    mute: false,
    garbage: false,
    noise: false,
    slowMs: 0,
    serialNumber: '17FD1E3C',
    lastSettlementAt: null,
    autoEndOfDay: false,
    paymentDelayMs: 0,
    declineEvery: 0,
    declineResultCode: 0x05,
  };
}

/** Rejects unknown fault names (naming them and the known ones) and values of the wrong kind. */
export function checkZvtFaults(changes: Partial<ZvtFaults>): void {
  const unknown = Object.keys(changes).filter((k) => !(zvtFaultNames as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new Error(`unknown zvt fault ${unknown.join(', ')}; known: ${zvtFaultNames.join(', ')}`);
  }
  const c = changes as Record<string, unknown>;
  const int = (name: string, max: number, min = 0) => {
    const v = c[name];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)) {
      throw new Error(`zvt fault ${name} must be an integer ${min}..${max}, got ${String(v)}`);
    }
  };
  int('terminalStatus', 0xff);
  int('lockBits', 0xffff);
  int('slowMs', 3_600_000);
  int('paymentDelayMs', 3_600_000);
  int('declineEvery', 1_000_000);
  // 00 means "no error": a decline with it would be an approval.
  int('declineResultCode', 0xff, 1);
  for (const name of ['tamper', 'cardReaderFault', 'loggedOff', 'mute', 'garbage', 'noise', 'autoEndOfDay']) {
    if (c[name] !== undefined && typeof c[name] !== 'boolean') throw new Error(`zvt fault ${name} must be true or false`);
  }
  if (c.serialNumber !== undefined && (typeof c.serialNumber !== 'string' || !/^([0-9A-Fa-f]{2})+$/.test(c.serialNumber))) {
    throw new Error('zvt fault serialNumber must be hex digits, an even number of them');
  }
  const at = c.lastSettlementAt;
  if (at !== undefined && at !== null && (typeof at !== 'string' || Number.isNaN(Date.parse(at)))) {
    throw new Error('zvt fault lastSettlementAt must be an ISO time or null');
  }
}
