import { EventEmitter } from 'node:events';
import type { DeviceIdentity, DeviceReading } from '../../drivers/model.js';
import type { PassthroughStatus } from '../passthrough/status.js';
import { activeDeviceConditions, conditionSeverity, type DeviceSwap, needsSettlementReminder, type Severity } from './conditions.js';

/** What the agent knows about one device right now. Plain data; the API serialises it. */
export interface DeviceState {
  id: string;
  name: string;
  driver: string;
  simulated: boolean;
  transport: string;
  connected: boolean;
  /** The link is down, or the device missed `unreachableAfter` polls in a row. */
  unreachable: boolean;
  /** The latest reading while connected; null before the first answer and while unreachable. */
  reading: DeviceReading | null;
  identity: DeviceIdentity;
  /** The last serial-number change seen since the agent started (a different device answers). */
  swap: DeviceSwap | null;
  /** When the closing-time reminder last found no end-of-day for this terminal, or null. */
  settlementReminder: string | null;
  /** mode: passthrough: the till's side and what its traffic showed; null for exclusive devices. */
  passthrough: PassthroughStatus | null;
  /** End of the last poll attempt, answered or not (ISO-8601). */
  lastPollAt: string | null;
  /** Last time the device answered (ISO-8601). */
  lastSeenAt: string | null;
  lastError: string | null;
  consecutiveFailures: number;
  pollCount: number;
  conditions: ActiveCondition[];
}

export interface ActiveCondition {
  id: string;
  severity: Severity;
  since: string;
}

export interface DeviceMeta {
  id: string;
  name: string;
  driver: string;
  simulated: boolean;
  transport: string;
}

const unknownIdentity: DeviceIdentity = { manufacturer: null, model: null, serial: null, firmware: null };

/**
 * The current state of every component. Updated by device sessions (and later probes), read by
 * the HTTP API and the alerting. Emits `change` with the device id whenever a device's state
 * changes, so listeners never poll it. Time comes in as an argument: no clock inside.
 */
export class HealthModel extends EventEmitter<{ change: [deviceId: string] }> {
  private readonly devices = new Map<string, DeviceState>();

  addDevice(meta: DeviceMeta): void {
    this.devices.set(meta.id, {
      ...meta,
      connected: false,
      unreachable: false,
      reading: null,
      identity: unknownIdentity,
      swap: null,
      settlementReminder: null,
      passthrough: null,
      lastPollAt: null,
      lastSeenAt: null,
      lastError: null,
      consecutiveFailures: 0,
      pollCount: 0,
      conditions: [],
    });
  }

  device(id: string): DeviceState | undefined {
    return this.devices.get(id);
  }

  allDevices(): DeviceState[] {
    return [...this.devices.values()];
  }

  /** The link opened; the device has not answered yet. */
  linkUp(id: string, transport: string, now: Date): void {
    this.update(id, now, (d) => ({ ...d, transport, connected: true, lastError: null }));
  }

  /** The device answered a poll, or told us something unasked (ESC/POS ASB). */
  answered(id: string, reading: DeviceReading, identity: DeviceIdentity, now: Date, polled: boolean): void {
    const at = now.toISOString();
    this.update(id, now, (d) => ({
      ...d,
      connected: true,
      unreachable: false,
      reading,
      identity: mergeIdentity(d.identity, identity),
      swap: swapOf(d.identity.serial, identity.serial, at) ?? d.swap,
      lastSeenAt: at,
      lastPollAt: polled ? at : d.lastPollAt,
      pollCount: polled ? d.pollCount + 1 : d.pollCount,
      consecutiveFailures: polled ? 0 : d.consecutiveFailures,
      lastError: null,
    }));
  }

  /** A poll got no (valid) answer. `unreachable` is the session's verdict after N of these. */
  pollFailed(id: string, error: string, unreachable: boolean, now: Date): void {
    this.update(id, now, (d) => ({
      ...d,
      unreachable,
      reading: unreachable ? null : d.reading,
      lastPollAt: now.toISOString(),
      pollCount: d.pollCount + 1,
      consecutiveFailures: d.consecutiveFailures + 1,
      lastError: error,
    }));
  }

  /**
   * Closing time: every answering terminal without an end-of-day in the last shop day gets the
   * reminder condition. Returns the ids reminded.
   */
  remindSettlement(now: Date): string[] {
    const reminded = [...this.devices.values()].filter((d) => d.connected && needsSettlementReminder(d.reading, now)).map((d) => d.id);
    for (const id of reminded) this.update(id, now, (d) => ({ ...d, settlementReminder: now.toISOString() }));
    return reminded;
  }

  /** Passthrough: the till's side changed, or its traffic showed something (a payment, a receipt). */
  passthroughChanged(id: string, status: PassthroughStatus, now: Date): void {
    this.update(id, now, (d) => ({ ...d, passthrough: status }));
  }

  /** The link is gone (unplugged, port missing, connection refused). */
  linkDown(id: string, reason: string, now: Date): void {
    this.update(id, now, (d) => ({ ...d, connected: false, unreachable: true, reading: null, lastError: reason }));
  }

  private update(id: string, now: Date, change: (d: DeviceState) => DeviceState): void {
    const before = this.devices.get(id);
    if (!before) throw new Error(`unknown device ${id}`);
    const after = change(before);
    after.conditions = trackSince(before.conditions, activeDeviceConditions(after, now), now);
    this.devices.set(id, after);
    this.emit('change', id);
  }
}

/** Keeps the start time of conditions that stay active; new ones start now. */
function trackSince(previous: ActiveCondition[], activeIds: string[], now: Date): ActiveCondition[] {
  return activeIds.map((id) => {
    const existing = previous.find((c) => c.id === id);
    return existing ?? { id, severity: conditionSeverity.get(id) ?? 'warning', since: now.toISOString() };
  });
}

/**
 * Both serial numbers known and different: another device of the same kind answers on this
 * port or address (replaced by the provider, or swapped by someone else). Identity is kept
 * across reconnects, so a swap while unplugged is seen at the first answer after replugging.
 */
function swapOf(known: string | null, fresh: string | null, at: string): DeviceSwap | null {
  return known !== null && fresh !== null && known !== fresh ? { previousSerial: known, serial: fresh, at } : null;
}

/** A reply without identity (e.g. an ASB message) must not erase what GS I told us. */
function mergeIdentity(known: DeviceIdentity, fresh: DeviceIdentity): DeviceIdentity {
  return {
    manufacturer: fresh.manufacturer ?? known.manufacturer,
    model: fresh.model ?? known.model,
    serial: fresh.serial ?? known.serial,
    firmware: fresh.firmware ?? known.firmware,
  };
}
