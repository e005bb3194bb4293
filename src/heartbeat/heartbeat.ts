/**
 * The outbound heartbeat: every interval, tell each configured receiver (a Prometheus
 * Pushgateway, a webhook) that this agent is alive and how the till is. Shops sit behind NAT,
 * where the provider cannot scrape; a heartbeat that stops arriving is then the only sign that
 * the shop PC, its line or the agent is gone.
 *
 * Each receiver has its own loop and backoff, so a dead webhook does not delay the Pushgateway.
 * Nothing here throws into the agent: a failure is logged once per outage and retried.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { HeartbeatConfig } from '../config/index.js';
import { readCaFile } from '../config/index.js';
import type { StatusDocument } from '../http/status-document.js';
import type { Logger } from '../log.js';
import { afterAttempt, type DeliveryState, initialDeliveryState, nextDelayMs, type Outcome } from './outage.js';
import { type AgentIdentity, type Beat, groupingPath, heartbeatSeries, webhookBody } from './payload.js';
import { send } from './send.js';

export interface HeartbeatDeps {
  config: HeartbeatConfig;
  identity: AgentIdentity;
  /** The status document, as /api/v1/status would answer now. */
  status(): StatusDocument;
  /** The agent's own series that go along with a Pushgateway push (exposition text). */
  agentSeries(): Promise<string>;
  log: Logger;
  /** Where the heartbeat's own health is exported (/metrics); none in some tests. */
  registry?: Registry;
  now?: () => number;
}

export interface Heartbeat {
  /** Stops the loops, then sends one last heartbeat saying the agent stopped on purpose. */
  stop(): Promise<void>;
}

interface Receiver {
  name: 'pushgateway' | 'webhook';
  /** For log lines: the URL, which the config keeps free of credentials. */
  url: string;
  deliver(beat: Beat, timeoutMs: number): Promise<void>;
}

/** The last heartbeat on stop gets this long at most: shutdown must not hang on a dead line. */
const FINAL_BEAT_TIMEOUT_MS = 2_000;

export function startHeartbeat(deps: HeartbeatDeps): Heartbeat {
  const receivers = buildReceivers(deps);
  const now = deps.now ?? Date.now;
  const log = deps.log.child({ component: 'heartbeat' });
  const health = deps.registry ? heartbeatMetrics(deps.registry, receivers.map((r) => r.name)) : null;
  const loops = receivers.map((receiver) => startLoop(receiver));
  if (receivers.length > 0) {
    log.info({ receivers: receivers.map((r) => `${r.name} ${r.url}`), intervalMs: deps.config.intervalMs, instance: deps.identity.instance }, 'heartbeat started');
  }

  function startLoop(receiver: Receiver) {
    let state: DeliveryState = initialDeliveryState;
    let timer: NodeJS.Timeout | null = null;
    let inFlight: Promise<void> = Promise.resolve();
    let stopped = false;
    const receiverLog = log.child({ receiver: receiver.name, url: receiver.url });

    const attempt = async () => {
      timer = null;
      const outcome: Outcome = await receiver
        .deliver({ nowMs: now(), intervalMs: deps.config.intervalMs, running: true }, deps.config.timeoutMs)
        .then(
          () => ({ ok: true as const }),
          (error: unknown) => ({ ok: false as const, reason: error instanceof Error ? error.message : String(error) }),
        );
      const step = afterAttempt(state, outcome, now());
      state = step.state;
      if (step.log?.kind === 'outage-started') {
        receiverLog.warn({ reason: step.log.reason }, 'heartbeat not delivered; retrying with backoff, logged again once it works');
      } else if (step.log?.kind === 'recovered') {
        receiverLog.info({ failedAttempts: step.log.failures, outageSeconds: Math.round(step.log.outageMs / 1000) }, 'heartbeat delivered again');
      } else if (!outcome.ok) {
        receiverLog.debug({ reason: outcome.reason, failedAttempts: state.failures }, 'heartbeat still not delivered');
      }
      if (outcome.ok) health?.delivered(receiver.name, now());
      else health?.failed(receiver.name);
      if (!stopped) timer = setTimeout(run, nextDelayMs(state, deps.config.intervalMs));
    };
    const run = () => {
      inFlight = attempt().catch((error: unknown) => receiverLog.error({ err: error }, 'heartbeat loop failed'));
    };
    run();

    return {
      async stop() {
        stopped = true;
        if (timer) clearTimeout(timer);
        await inFlight;
        if (timer) clearTimeout(timer);
        const beat = { nowMs: now(), intervalMs: deps.config.intervalMs, running: false };
        await receiver.deliver(beat, Math.min(deps.config.timeoutMs, FINAL_BEAT_TIMEOUT_MS)).then(
          () => receiverLog.info('last heartbeat sent: stopped on purpose'),
          (error: unknown) => receiverLog.warn({ reason: error instanceof Error ? error.message : String(error) }, 'last heartbeat not delivered'),
        );
      },
    };
  }

  return {
    async stop() {
      await Promise.all(loops.map((loop) => loop.stop()));
    },
  };
}

function buildReceivers(deps: HeartbeatDeps): Receiver[] {
  const { config, identity } = deps;
  const receivers: Receiver[] = [];
  const ca = (file: string | null): string | null => {
    if (file === null) return null;
    // Checked when the config was loaded; a file removed since then is a start error.
    const result = readCaFile(file);
    if (!result.ok) throw new Error(result.message);
    return result.text;
  };
  if (config.pushgateway) {
    const { url, job, auth, caFile } = config.pushgateway;
    const target = `${url.replace(/\/+$/, '')}${groupingPath(job, identity)}`;
    const caText = ca(caFile);
    receivers.push({
      name: 'pushgateway',
      url: target,
      async deliver(beat, timeoutMs) {
        const body = heartbeatSeries(beat) + (await deps.agentSeries());
        // PUT replaces the whole group: an alert that cleared disappears from the Pushgateway too.
        await send({ url: target, method: 'PUT', contentType: 'text/plain; version=0.0.4; charset=utf-8', body, auth, ca: caText, timeoutMs });
      },
    });
  }
  if (config.webhook) {
    const { url, auth, caFile } = config.webhook;
    const caText = ca(caFile);
    receivers.push({
      name: 'webhook',
      url,
      async deliver(beat, timeoutMs) {
        const body = JSON.stringify(webhookBody(deps.status(), identity, beat));
        await send({ url, method: 'POST', contentType: 'application/json', body, auth, ca: caText, timeoutMs });
      },
    });
  }
  return receivers;
}

/** The heartbeat's own health on /metrics, so a status page or a local scrape sees it too. */
function heartbeatMetrics(registry: Registry, names: string[]) {
  const lastSuccess = new Gauge({
    name: 'posdiag_heartbeat_last_success_timestamp_seconds',
    help: 'Unix time of the last heartbeat the receiver accepted.',
    labelNames: ['receiver'],
    registers: [registry],
  });
  const failures = new Counter({
    name: 'posdiag_heartbeat_failures_total',
    help: 'Heartbeats the receiver did not accept (refused, unreachable, timed out).',
    labelNames: ['receiver'],
    registers: [registry],
  });
  // Series exist from the start, so a rate() over failures works before the first one.
  for (const receiver of names) failures.inc({ receiver }, 0);
  return {
    delivered: (receiver: string, nowMs: number) => lastSuccess.set({ receiver }, nowMs / 1000),
    failed: (receiver: string) => failures.inc({ receiver }),
  };
}
