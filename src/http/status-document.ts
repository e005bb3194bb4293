import type { CardReaderStatus, DeviceReading, GlobalStatus, Power, PrinterStatus } from '../../drivers/model.js';
import type { ZvtDetails } from '../../drivers/zvt/index.js';
import type { DeviceSwap } from '../health/conditions.js';
import type { DeviceState } from '../health/model.js';
import type { PassthroughStatus } from '../passthrough/status.js';
import { type Overall, overallState } from '../health/overall.js';
import type { HostState, NetworkState, SubjectCondition } from '../health/path-health.js';
import { type HostView, hostView, type NetworkView, networkView } from './path-views.js';

/** The body of `GET /api/v1/status`: the fixed contract the till software and tools rely on. */
export interface StatusDocument {
  overall: Overall;
  generatedAt: string;
  devices: DeviceStatusView[];
  network: NetworkView;
  host: HostView;
  alerts: AlertView[];
}

export interface DeviceStatusView {
  id: string;
  name: string;
  driver: string;
  simulated: boolean;
  /** The device answers over an open link. */
  connected: boolean;
  transport: string;
  power: Power;
  globalStatus: GlobalStatus;
  printer: {
    status: PrinterStatus;
    coverOpen: boolean | null;
    paperLow: boolean | null;
    paperOut: boolean | null;
    offline: boolean | null;
    cutterError: boolean | null;
    unrecoverableError: boolean | null;
    autoRecoverableError: boolean | null;
    drawerPin3High: boolean | null;
  } | null;
  cardReader: CardReaderStatus | null;
  locked: boolean | null;
  loggedOn: boolean | null;
  tamper: boolean | null;
  lastSettlementAt: string | null;
  /** Payment terminal out of order (a technician is needed). */
  outOfOrder: boolean | null;
  /** Payment terminal: end-of-day required by the terminal, or the last one seen is too old. */
  settlementDue: boolean | null;
  /** What a ZVT terminal said, code by code, for support; null for other drivers. */
  zvt: ZvtDetails | null;
  manufacturer: string | null;
  model: string | null;
  serial: string | null;
  firmware: string | null;
  lastPollAt: string | null;
  lastSeenAt: string | null;
  lastError: string | null;
  /** Polls attempted since the agent started (answered or not). */
  pollCount: number;
  conditions: string[];
  /** The last serial-number change seen since the agent started: another device answers here. */
  swap: DeviceSwap | null;
  /** mode: passthrough: the till's virtual port and what its traffic showed; null in exclusive mode. */
  passthrough: PassthroughStatus | null;
}

export interface AlertView {
  id: string;
  condition: string;
  /** The device the condition is about, or null for the network path and the host. */
  device: string | null;
  /** The network target (or `network`, `host`) for conditions that are not about a device. */
  target: string | null;
  severity: string;
  /** pending: seen, below the failure threshold; firing: sent; resolved: over (shown for a while). */
  state: 'pending' | 'firing' | 'resolved';
  since: string;
}

/** Driver names whose devices are printers, so an unknown printer still shows `printer.status: unknown`. */
const printerDrivers = new Set(['escpos']);

export interface HealthSnapshot {
  devices: readonly DeviceState[];
  network: NetworkState;
  host: HostState;
  /** The alert machine's states (src/alerts); absent (posdiag check): each active condition as firing. */
  alerts?: readonly AlertView[];
}

export function statusDocument(health: HealthSnapshot, now: Date): StatusDocument {
  const pathConditions = [...health.network.conditions, ...health.host.conditions];
  return {
    overall: overallState(health.devices, pathConditions),
    generatedAt: now.toISOString(),
    devices: health.devices.map(deviceView),
    network: networkView(health.network),
    host: hostView(health.host),
    alerts: health.alerts ? [...health.alerts] : [
      ...health.devices.flatMap((d) =>
        d.conditions.map((c) => ({
          id: `${d.id}/${c.id}`,
          condition: c.id,
          device: d.id,
          target: null,
          severity: c.severity,
          state: 'firing' as const,
          since: c.since,
        })),
      ),
      ...pathConditions.map(subjectAlert),
    ],
  };
}

function subjectAlert(c: SubjectCondition): AlertView {
  return { id: `${c.subject}/${c.id}`, condition: c.id, device: null, target: c.subject, severity: c.severity, state: 'firing', since: c.since };
}

function deviceView(d: DeviceState): DeviceStatusView {
  const answering = d.connected && !d.unreachable && d.reading !== null;
  const reading = answering ? d.reading : null;
  return {
    id: d.id,
    name: d.name,
    driver: d.driver,
    simulated: d.simulated,
    connected: d.connected && !d.unreachable,
    transport: d.transport,
    power: reading?.power ?? (d.unreachable ? 'off_offline' : 'unknown'),
    // Until a device has answered, nothing says it is reachable.
    globalStatus: reading?.globalStatus ?? 'unreachable',
    printer: reading?.printer
      ? { ...reading.printer }
      : printerDrivers.has(d.driver)
        ? {
            status: 'unknown',
            coverOpen: null,
            paperLow: null,
            paperOut: null,
            offline: null,
            cutterError: null,
            unrecoverableError: null,
            autoRecoverableError: null,
            drawerPin3High: null,
          }
        : null,
    cardReader: reading?.cardReader ?? null,
    locked: reading?.locked ?? null,
    loggedOn: reading?.loggedOn ?? null,
    tamper: reading?.tamper ?? null,
    lastSettlementAt: reading?.lastSettlementAt ?? null,
    outOfOrder: reading?.outOfOrder ?? null,
    settlementDue: reading?.settlementDue ?? null,
    zvt: reading && d.driver === 'zvt' ? zvtDetailsOf(reading) : null,
    manufacturer: d.identity.manufacturer,
    model: d.identity.model,
    serial: d.identity.serial,
    firmware: d.identity.firmware,
    lastPollAt: d.lastPollAt,
    lastSeenAt: d.lastSeenAt,
    lastError: d.lastError,
    pollCount: d.pollCount,
    conditions: d.conditions.map((c) => c.id),
    swap: d.swap,
    passthrough: d.passthrough,
  };
}

/** The zvt driver's readings carry a `zvt` block beside the shared fields (drivers/zvt/status.ts). */
function zvtDetailsOf(reading: DeviceReading): ZvtDetails | null {
  const details = (reading as DeviceReading & { zvt?: ZvtDetails }).zvt;
  return details ? { ...details, locks: [...details.locks] } : null;
}
