/**
 * Probe options: defaults written once, and a check at the door that names the bad option.
 * The config module validates user input; this guards programmatic callers too.
 */
import type { ProbeOptions } from './types.js';

export const DEFAULT_PROBE_OPTIONS: Readonly<ProbeOptions> = Object.freeze({
  timeoutMs: 5_000,
  tlsExpiryWarningDays: 14,
  lossThresholdPercent: 10,
  latencyThresholdMs: 400,
  icmpCount: 3,
  // 200 ms is the smallest interval iputils allows an unprivileged user.
  icmpIntervalMs: 200,
  minLossSamples: 10,
  windowMs: 5 * 60_000,
  maxClockSkewMs: 5 * 60_000,
  gatewayTcpPort: 53,
});

const LOWER_BOUNDS: Record<keyof ProbeOptions, number> = {
  timeoutMs: 1,
  tlsExpiryWarningDays: 0,
  lossThresholdPercent: 0,
  latencyThresholdMs: 0,
  icmpCount: 1,
  icmpIntervalMs: 10,
  minLossSamples: 1,
  windowMs: 1,
  maxClockSkewMs: 0,
  gatewayTcpPort: 1,
};

const INTEGERS = new Set<keyof ProbeOptions>(['icmpCount', 'minLossSamples', 'gatewayTcpPort']);

/** Fills defaults and throws a TypeError naming the first bad option. */
export function resolveProbeOptions(input: Partial<ProbeOptions> = {}): ProbeOptions {
  const options: ProbeOptions = { ...DEFAULT_PROBE_OPTIONS };
  for (const key of Object.keys(LOWER_BOUNDS) as (keyof ProbeOptions)[]) {
    const value = input[key];
    if (value === undefined) continue;
    const min = LOWER_BOUNDS[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
      throw new TypeError(`probe option ${key} must be a number >= ${min}, got ${String(value)}`);
    }
    if (INTEGERS.has(key) && !Number.isInteger(value)) {
      throw new TypeError(`probe option ${key} must be an integer, got ${value}`);
    }
    options[key] = value;
  }
  if (options.lossThresholdPercent > 100) {
    throw new TypeError(`probe option lossThresholdPercent must be <= 100, got ${options.lossThresholdPercent}`);
  }
  if (options.gatewayTcpPort > 65_535) {
    throw new TypeError(`probe option gatewayTcpPort must be <= 65535, got ${options.gatewayTcpPort}`);
  }
  return options;
}
