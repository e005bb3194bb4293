import type { DeviceIdentity, DeviceReading } from '../../drivers/model.js';
import { type PassthroughStatus, transactionsFailing } from '../passthrough/status.js';

/**
 * The conditions the agent can detect on devices, keyed by the ids of the troubleshooting
 * catalogue (never rename an id: alert routing and runbooks outside the agent rely on them).
 * A condition is one row: the component it belongs to, how bad it is, and a predicate on the
 * device's current state. Adding a condition is adding a row here and its runbook.
 *
 * Severity: `critical` when the shop cannot print or take card payments until someone acts,
 * `warning` when it still can but should act soon.
 */
export type Severity = 'critical' | 'warning' | 'info';

/** A different device answers where another one did: its serial number changed. */
export interface DeviceSwap {
  previousSerial: string;
  serial: string;
  /** When the agent first saw the new serial number (ISO-8601). */
  at: string;
}

export interface DeviceFacts {
  connected: boolean;
  unreachable: boolean;
  reading: DeviceReading | null;
  identity: DeviceIdentity;
  /** The last serial-number change seen since the agent started, or null. */
  swap: DeviceSwap | null;
  /** When the closing-time reminder found no end-of-day for this terminal (ISO-8601), or null. */
  settlementReminder: string | null;
  /** mode: passthrough: what the till's traffic showed; null for exclusive devices. */
  passthrough: PassthroughStatus | null;
}

export interface DeviceCondition {
  id: string;
  component: 'printer' | 'terminal' | 'device';
  severity: Severity;
  isActive(facts: DeviceFacts, now: Date): boolean;
}

/**
 * How long `device.swapped` stays active after the serial number changed: a shift or two, long
 * enough for the owner or the provider to see it, short enough that a planned replacement does
 * not alert forever. There is nothing to acknowledge: it clears by itself.
 */
export const deviceSwapNoticeMs = 24 * 3_600_000;

/**
 * The closing-time settlement reminder: raised when no end-of-day was seen in the 12 hours
 * before closing (one shop day), active until an end-of-day is seen or 12 hours pass (the next
 * morning's shop is a new day; an unsettled batch then shows as terminal.settlement_overdue).
 */
export const settlementReminderMs = 12 * 3_600_000;

/** Whether the closing-time reminder should fire for a device with this reading. */
export function needsSettlementReminder(reading: DeviceReading | null, now: Date): boolean {
  // Only terminals report settlement facts (settlementDue is null for every other device).
  if (reading === null || reading.settlementDue === null) return false;
  const last = reading.lastSettlementAt === null ? null : Date.parse(reading.lastSettlementAt);
  return last === null || now.getTime() - last > settlementReminderMs;
}

const printer = (facts: DeviceFacts) => (facts.connected ? facts.reading?.printer ?? null : null);
/** The last reading while the device answers; a silent device reports nothing but unreachable. */
const reading = (facts: DeviceFacts) => (facts.connected ? facts.reading : null);

export const deviceConditions: readonly DeviceCondition[] = [
  {
    id: 'device.unreachable',
    component: 'device',
    severity: 'critical',
    isActive: (facts) => facts.unreachable,
  },
  {
    id: 'device.swapped',
    component: 'device',
    // Usually the provider replaced a broken device; but an unannounced swap of a payment terminal
    // is how skimming terminals get into shops, so someone should confirm it was planned.
    severity: 'warning',
    isActive: (facts, now) => facts.swap !== null && now.getTime() - Date.parse(facts.swap.at) < deviceSwapNoticeMs,
  },
  {
    id: 'printer.paper_out',
    component: 'printer',
    severity: 'critical',
    isActive: (facts) => printer(facts)?.paperOut === true,
  },
  {
    id: 'printer.paper_low',
    component: 'printer',
    severity: 'warning',
    // Near end is moot once the roll is out: show the one thing to do.
    isActive: (facts) => printer(facts)?.paperLow === true && printer(facts)?.paperOut !== true,
  },
  {
    id: 'printer.cover_open',
    component: 'printer',
    severity: 'critical',
    isActive: (facts) => printer(facts)?.coverOpen === true,
  },
  {
    id: 'printer.jam_or_cutter',
    component: 'printer',
    severity: 'critical',
    isActive: (facts) => {
      const p = printer(facts);
      return p !== null && (p.cutterError || p.unrecoverableError);
    },
  },
  {
    id: 'terminal.tamper',
    component: 'terminal',
    severity: 'critical',
    isActive: (facts) => reading(facts)?.tamper === true,
  },
  {
    id: 'terminal.out_of_order',
    component: 'terminal',
    severity: 'critical',
    isActive: (facts) => reading(facts)?.outOfOrder === true,
  },
  {
    id: 'terminal.not_logged_on',
    component: 'terminal',
    severity: 'critical',
    isActive: (facts) => reading(facts)?.loggedOn === false,
  },
  {
    id: 'terminal.locked',
    component: 'terminal',
    severity: 'critical',
    // A terminal that is not logged on, out of order or tampered with is locked as well; the more
    // specific condition says what to do (log on, call a technician, stop using it), so the
    // generic "call the provider to unlock" shows only for the other locks.
    isActive: (facts) => {
      const r = reading(facts);
      return r?.locked === true && r.loggedOn !== false && r.outOfOrder !== true && r.tamper !== true;
    },
  },
  {
    id: 'terminal.card_reader_fault',
    component: 'terminal',
    severity: 'critical',
    isActive: (facts) => reading(facts)?.cardReader === 'fault',
  },
  {
    id: 'terminal.settlement_overdue',
    component: 'terminal',
    // Payments still go through; a terminal that refuses them until the end-of-day also reports a
    // lock (terminal.locked, critical).
    severity: 'warning',
    isActive: (facts) => reading(facts)?.settlementDue === true,
  },
  {
    id: 'terminal.transactions_failing',
    component: 'terminal',
    // The till's own payments tell it (passthrough): the shop cannot take cards right now, whatever
    // the status poll says. Cleared by the next approved payment.
    severity: 'critical',
    isActive: (facts) => transactionsFailing(facts.passthrough),
  },
  {
    id: 'terminal.settlement_reminder',
    component: 'terminal',
    severity: 'warning',
    isActive: (facts, now) => {
      const current = reading(facts);
      if (facts.settlementReminder === null || current === null) return false;
      const remindedAt = Date.parse(facts.settlementReminder);
      const settledAt = current.lastSettlementAt === null ? null : Date.parse(current.lastSettlementAt);
      return now.getTime() - remindedAt < settlementReminderMs && (settledAt === null || settledAt < remindedAt - settlementReminderMs);
    },
  },
];

export const conditionSeverity = new Map(deviceConditions.map((c) => [c.id, c.severity]));

export function activeDeviceConditions(facts: DeviceFacts, now: Date): string[] {
  return deviceConditions.filter((condition) => condition.isActive(facts, now)).map((condition) => condition.id);
}
