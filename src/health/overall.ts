import type { DeviceState } from './model.js';

export type Overall = 'ok' | 'degraded' | 'down' | 'unknown';

/**
 * One word for the whole till: `down` when something stops the shop taking payments or printing
 * (a critical condition), `degraded` when something needs attention soon (a warning), `unknown`
 * while a device has not been heard from yet, `ok` otherwise. Worst wins.
 */
export function overallState(devices: readonly DeviceState[], networkConditions: readonly { severity: string }[] = []): Overall {
  const severities = [...devices.flatMap((d) => d.conditions.map((c) => c.severity)), ...networkConditions.map((c) => c.severity)];
  if (severities.includes('critical')) return 'down';
  if (severities.includes('warning')) return 'degraded';
  if (devices.some((d) => d.lastSeenAt === null)) return 'unknown';
  return 'ok';
}
