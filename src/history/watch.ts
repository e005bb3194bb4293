import type { HealthModel } from '../health/model.js';
import type { PathHealth } from '../health/path-health.js';
import type { NetworkPathResult } from '../probes/index.js';
import type { HistoryRing } from './recorder.js';
import { stateFromSeverities } from './state.js';

export const networkSubject = 'network';
export const hostSubject = 'host';
export const deviceSubject = (id: string): string => `device:${id}`;

/**
 * Feeds the history ring from the health model's and the path health's `change` events, so the
 * ring sees every state change without polling. Returns a function that stops listening.
 */
export function recordHealthHistory(history: HistoryRing, health: HealthModel, paths: PathHealth, now: () => Date = () => new Date()): () => void {
  const onDevice = (id: string) => {
    const device = health.device(id);
    if (!device) return;
    const known = device.lastSeenAt !== null || device.unreachable;
    history.observeState(
      deviceSubject(id),
      stateFromSeverities(device.conditions.map((c) => c.severity), known),
      device.conditions.map((c) => c.id),
      now(),
    );
  };
  let lastRound: NetworkPathResult | null = null;
  const onPaths = () => {
    const at = now();
    const network = paths.network();
    history.observeState(
      networkSubject,
      stateFromSeverities(network.conditions.map((c) => c.severity), network.result !== null),
      network.conditions.map((c) => c.id),
      at,
    );
    // One latency sample per network round (path health also changes on host rounds).
    if (network.result && network.result !== lastRound) {
      lastRound = network.result;
      history.observeLatency(networkSubject, roundTripMs(network.result), at);
    }
    const host = paths.host();
    if (host.result) {
      history.observeState(hostSubject, stateFromSeverities(host.conditions.map((c) => c.severity), true), host.conditions.map((c) => c.id), at);
    }
  };
  for (const device of health.allDevices()) onDevice(device.id);
  health.on('change', onDevice);
  paths.on('change', onPaths);
  return () => {
    health.off('change', onDevice);
    paths.off('change', onPaths);
  };
}

/**
 * The round trip to the first (primary) acquirer target: the ICMP average when echoes came
 * back, else the TCP connect time; null when the round reached neither.
 */
export function roundTripMs(result: NetworkPathResult): number | null {
  const target = result.targets[0];
  if (!target) return null;
  for (const layer of target.layers) {
    if (layer.layer === 'icmp' && layer.ok && layer.avgMs !== null) return layer.avgMs;
  }
  for (const layer of target.layers) {
    if (layer.layer === 'tcp' && layer.ok && layer.connectMs !== null) return layer.connectMs;
  }
  return null;
}
