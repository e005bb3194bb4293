import os from 'node:os';
import type { Config } from '../config/index.js';
import { buildBundle, type AgentFacts } from '../bundle/build.js';
import { LogTail, tapLogger } from '../bundle/log-tail.js';
import type { HealthModel } from '../health/model.js';
import type { PathHealth } from '../health/path-health.js';
import { historyFromReadings, withRingLatency } from '../history/from-store.js';
import { type HistorySnapshot, HistoryRing } from '../history/recorder.js';
import { deviceSubject, networkSubject, recordHealthHistory } from '../history/watch.js';
import type { ReadingRow } from '../store/types.js';
import type { Logger } from '../log.js';
import { type AlertView, statusDocument } from './status-document.js';
import type { StatusPageDeps } from './status-page.js';

export interface StatusPageSources {
  config: Config;
  health: HealthModel;
  paths: PathHealth;
  log: Logger;
  version: string;
  startedAt: Date;
  /** Ends the waits of every device: they poll (or reconnect) now. */
  pollNow(): void;
  /** One network and host round; set once the path monitor runs. */
  checkPaths(): Promise<void>;
  /** The alert machine's states, as /api/v1/status shows them. */
  alerts?: () => readonly AlertView[];
  /** The SQLite store's readings: history that outlives a restart. Absent: the in-memory ring only. */
  store?: { readings(sinceMs: number): ReadingRow[] };
}

export interface StatusPageWiring {
  deps: StatusPageDeps;
  /** For the fleet's poll observer: one device poll took `ms` (answered or not). */
  observePoll(deviceId: string, ms: number, answered: boolean): void;
  stop(): void;
}

const dayMs = 24 * 3600_000;

/** How long "check now" waits for a device that does not answer (a hung port must not hang the page). */
const pollWaitMs = 5_000;

/** The status page's history, bundle and "check now", made from the agent's parts. */
export function statusPageWiring(sources: StatusPageSources): StatusPageWiring {
  const history = new HistoryRing();
  const primaryTarget = sources.config.network.targets[0]?.name;
  // The store's readings when there is a store (they survive a restart); the ring's condition
  // events either way (the store keeps states, not which condition caused them).
  const historySnapshot = (now: Date): HistorySnapshot => {
    const ring = history.snapshot(now);
    if (!sources.store) return ring;
    const stored = historyFromReadings(sources.store.readings(now.getTime() - dayMs), {
      from: new Date(now.getTime() - dayMs),
      to: now,
      bucketMs: ring.bucketMs,
      latencyFrom: primaryTarget ? { [`target:${primaryTarget}`]: networkSubject } : {},
      events: ring.events,
    });
    return withRingLatency(stored, ring);
  };
  const stopRecording = recordHealthHistory(history, sources.health, sources.paths);
  const logTail = new LogTail();
  const untap = tapLogger(sources.log, logTail);
  const agentFacts = (now: Date): AgentFacts => ({
    version: sources.version,
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    hostname: os.hostname(),
    pid: process.pid,
    startedAt: sources.startedAt.toISOString(),
    uptimeSeconds: Math.round((now.getTime() - sources.startedAt.getTime()) / 1000),
  });
  return {
    deps: {
      history: historySnapshot,
      stateSince: (subject) => history.stateSince(subject),
      networkTargets: sources.config.network.targets.length,
      async checkNow() {
        const polled = waitForNextPoll(sources.health, pollWaitMs);
        sources.pollNow();
        await Promise.all([polled, sources.checkPaths()]);
      },
      bundle() {
        const now = new Date();
        const status = statusDocument(
          { devices: sources.health.allDevices(), network: sources.paths.network(), host: sources.paths.host(), alerts: sources.alerts?.() },
          now,
        );
        return buildBundle({
          now,
          source: 'agent',
          agent: agentFacts(now),
          config: sources.config,
          status,
          history: historySnapshot(now),
          logLines: logTail.recent(),
        });
      },
    },
    observePoll(deviceId, ms, answered) {
      history.observeLatency(deviceSubject(deviceId), answered ? ms : null, new Date());
    },
    stop() {
      stopRecording();
      untap();
    },
  };
}

/**
 * Resolves when every device has finished one more poll than now (answered or not, or given up
 * as unreachable), or after `timeoutMs`: the result then shows whatever is known.
 */
export function waitForNextPoll(health: HealthModel, timeoutMs: number): Promise<void> {
  const before = new Map(health.allDevices().map((d) => [d.id, d.pollCount]));
  return new Promise((resolve) => {
    const done = () => health.allDevices().every((d) => d.pollCount > (before.get(d.id) ?? -1) || (d.unreachable && !d.connected));
    const finish = () => {
      clearTimeout(timer);
      health.off('change', check);
      resolve();
    };
    const check = () => {
      if (done()) finish();
    };
    const timer = setTimeout(finish, timeoutMs);
    health.on('change', check);
  });
}
