import type { DeviceIdentity, DeviceReading } from '../../drivers/model.js';

/**
 * The conditions the agent can detect on devices, keyed by the ids of the troubleshooting
 * catalogue (never rename an id: alert routing and runbooks outside the agent rely on them).
 * A condition is one row: the component it belongs to, how bad it is, and a predicate on the
 * device's current state. Adding a condition is adding a row here and its runbook.
 */
export type Severity = 'critical' | 'warning' | 'info';

export interface DeviceFacts {
  connected: boolean;
  unreachable: boolean;
  reading: DeviceReading | null;
  identity: DeviceIdentity;
}

export interface DeviceCondition {
  id: string;
  component: 'printer' | 'terminal' | 'device';
  severity: Severity;
  isActive(facts: DeviceFacts): boolean;
}

const printer = (facts: DeviceFacts) => (facts.connected ? facts.reading?.printer ?? null : null);

export const deviceConditions: readonly DeviceCondition[] = [
  {
    id: 'device.unreachable',
    component: 'device',
    severity: 'critical',
    isActive: (facts) => facts.unreachable,
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
];

export const conditionSeverity = new Map(deviceConditions.map((c) => [c.id, c.severity]));

export function activeDeviceConditions(facts: DeviceFacts): string[] {
  return deviceConditions.filter((condition) => condition.isActive(facts)).map((condition) => condition.id);
}
