import { access } from 'node:fs/promises';
import path from 'node:path';
import { type HostConfig, isLoopbackHost, type NetworkConfig } from '../config/index.js';
import type { PathHealth } from '../health/path-health.js';
import type { Logger } from '../log.js';
import { createProbeDeps } from './deps.js';
import { DEFAULT_PROBE_OPTIONS } from './options.js';
import { createPinger } from './ping.js';
import { createStreamingPinger } from './ping-stream.js';
import { createHostDeps, type HostResult, probeHost } from './host.js';
import { probeNetworkPath } from './network.js';
import { type JobHandle, schedulePeriodic } from './scheduler.js';
import type { NetworkPathResult } from './types.js';

export interface PathMonitor {
  /** Runs a network and a host round now (on top of the schedule); resolves when both are done. */
  checkNow(): Promise<void>;
  stop(): Promise<void>;
}

export interface PathChecks {
  /** One round of the network path checks; null when no target is configured. */
  networkRound: ((signal: AbortSignal) => Promise<NetworkPathResult>) | null;
  hostRound(): Promise<HostResult>;
  /** Stops what the checks keep running between rounds (the ICMP streams). */
  close(): void;
}

export interface PathCheckOptions {
  /**
   * Keep one `ping` running per address between rounds (a daemon), rather than starting one per
   * round (a one-shot `posdiag check`, which must not leave processes behind).
   */
  streamIcmp: boolean;
}

/**
 * The checks, ready to run, each feeding PathHealth. The probe dependencies (and with them the
 * rolling loss / latency windows and the CPU and clock history) live as long as this object.
 */
export function createPathChecks(
  network: NetworkConfig,
  host: HostConfig,
  dataDir: string,
  health: PathHealth,
  { streamIcmp }: PathCheckOptions,
): PathChecks {
  // The round's echoes, spread evenly over the round interval.
  const pinger = streamIcmp
    ? createStreamingPinger({ spacingMs: network.intervalMs / DEFAULT_PROBE_OPTIONS.icmpCount, fallback: createPinger() })
    : null;
  const probeDeps = createProbeDeps(pinger ? { ping: pinger.ping } : {});
  const hostDeps = createHostDeps({ history: {} });
  const probeOptions = {
    timeoutMs: network.timeoutMs,
    tlsExpiryWarningDays: network.tlsExpiryWarningDays,
    lossThresholdPercent: network.lossThresholdPercent,
    latencyThresholdMs: network.latencyThresholdMs,
  };
  const checkGateway = network.checkGateway && !network.targets.every((t) => isLoopbackHost(t.host));
  return {
    // No target, no path to judge: the network section stays "unknown" rather than guessing.
    networkRound:
      network.targets.length === 0
        ? null
        : async (signal) => {
            const result = await probeNetworkPath(network.targets, probeOptions, probeDeps, signal, { checkGateway });
            health.networkChecked(result, new Date());
            return result;
          },
    async hostRound() {
      const result = await probeHost(
        { dataDir: await nearestExisting(dataDir), minFreeDiskBytes: host.minFreeDiskMb * 1024 * 1024, minFreeDiskPercent: host.minFreeDiskPercent },
        hostDeps,
      );
      health.hostChecked(result, new Date());
      return result;
    },
    close: () => pinger?.close(),
  };
}

/**
 * Runs the network path checks and the host checks on their own intervals. Each job never
 * overlaps itself and is aborted at its interval, so a hung DNS server can delay one round but
 * never pile rounds up.
 */
export function startPathMonitor(checks: PathChecks, network: NetworkConfig, host: HostConfig, log: Logger): PathMonitor {
  const networkLog = log.child({ component: 'network' });
  const hostLog = log.child({ component: 'host' });
  const { networkRound, hostRound } = checks;

  let lastVerdict: string | null = null;
  const jobs: JobHandle[] = [
    schedulePeriodic(
      { name: 'host', intervalMs: host.intervalMs, timeoutMs: Math.min(host.intervalMs, 30_000), run: hostRound },
      {
        logger: hostLog,
        onOutcome: (outcome) => {
          if (outcome.error) hostLog.error({ err: outcome.error }, 'host check failed');
        },
      },
    ),
  ];
  // No target, no path to judge: the network section stays "unknown" rather than guessing.
  if (networkRound) {
    jobs.push(
      schedulePeriodic(
        { name: 'network', intervalMs: network.intervalMs, timeoutMs: network.intervalMs, run: networkRound },
        {
          logger: networkLog,
          onOutcome: (outcome) => {
            const verdict = outcome.value?.verdict;
            const summary = verdict ? `${verdict.status}${verdict.reason ? `: ${verdict.reason}` : ''}` : 'no result';
            if (summary !== lastVerdict) {
              lastVerdict = summary;
              const level = verdict?.status === 'ok' ? 'info' : 'warn';
              networkLog[level]({ verdict: verdict?.status, failedLayer: verdict?.failedLayer, reason: verdict?.reason }, 'network path verdict');
            }
            if (outcome.error) networkLog.error({ err: outcome.error }, 'network round failed');
          },
        },
      ),
    );
  }

  return {
    async checkNow() {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), network.intervalMs);
      try {
        await Promise.all([networkRound?.(controller.signal), hostRound()]);
      } finally {
        clearTimeout(timer);
      }
    },
    async stop() {
      await Promise.all(jobs.map((job) => job.stop()));
      checks.close();
    },
  };
}

/** The data directory, or before it exists (a first `posdiag check`) the folder it will be made in. */
async function nearestExisting(dir: string): Promise<string> {
  let current = path.resolve(dir);
  for (;;) {
    try {
      await access(current);
      return current;
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}
