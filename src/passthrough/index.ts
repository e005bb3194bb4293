/**
 * mode: passthrough for one device: the till's virtual port, the proxy between it and the
 * device, and the wiring of what the till's traffic shows into the health model and the log.
 */
import type { DriverDefinition } from '../../drivers/index.js';
import type { LineObservation, TransportKind } from '../../drivers/model.js';
import type { PassthroughConfig } from '../config/index.js';
import { deviceKind } from '../health/device-kind.js';
import type { HealthModel } from '../health/model.js';
import type { Logger } from '../log.js';
import { PassthroughProxy } from './proxy.js';
import { applyObservation, initialPassthroughStatus, type PassthroughStatus } from './status.js';
import { openPtyTillPort, openTcpTillPort, type TillPort } from './till-port.js';

export { PassthroughProxy, ReservationAbortedError } from './proxy.js';
export type { PassthroughStatus } from './status.js';

export interface DevicePassthrough {
  proxy: PassthroughProxy;
  /** The latest successful end-of-day seen on the till's traffic (epoch ms), for the driver. */
  settlementSeenAt(): number | null;
  close(): Promise<void>;
}

export interface PassthroughSetup {
  deviceId: string;
  driver: string;
  definition: DriverDefinition;
  config: PassthroughConfig;
  transport: TransportKind;
  options: unknown;
  requestTimeoutMs: number;
  health: HealthModel;
  log: Logger;
}

/** Counters move with every chunk; the health model (and its listeners) hear of them at most this often. */
const COUNTER_REFRESH_MS = 1_000;

export async function startPassthrough(s: PassthroughSetup): Promise<DevicePassthrough> {
  const { deviceId, health, log } = s;
  let status: PassthroughStatus | null = null;
  let settledAt: number | null = null;
  let proxy: PassthroughProxy | null = null;

  const publish = () => {
    if (!status || !proxy) return;
    const c = proxy.counters;
    status = {
      ...status,
      tillConnected: proxy.tillConnected(),
      activity: proxy.activity(),
      bytesFromTill: c.tillToDevice,
      bytesToTill: c.deviceToTill,
      tillBytesDropped: c.tillBytesDropped,
      agentTurns: c.leases,
      tillChunksHeld: c.heldChunks,
      longestHoldMs: Math.round(c.longestHoldMs * 10) / 10,
    };
    health.passthroughChanged(deviceId, status, new Date());
  };

  const events = {
    onTillConnection(connected: boolean) {
      log.info({ connected }, connected ? 'passthrough: till connected' : 'passthrough: till disconnected');
      if (!connected) proxy?.tillLeft();
      publish();
    },
  };
  const till: TillPort =
    s.config.type === 'pty'
      ? await openPtyTillPort(s.config.link, deviceId, log, events)
      : await openTcpTillPort(s.config.listen, log, events);

  const onObservation = (o: LineObservation) => {
    if (!status) return;
    logObservation(log, o);
    if (o.type === 'end-of-day' && o.ok && (settledAt === null || o.at > settledAt)) settledAt = o.at;
    status = applyObservation(status, o);
    publish();
  };

  proxy = new PassthroughProxy({
    watch: s.definition.createPassthroughWatch({ transport: s.transport, options: s.options, requestTimeoutMs: s.requestTimeoutMs }),
    till,
    idleGapMs: s.config.idleGapMs,
    // Enough for the last ACK of our exchange, and for a late reply to a timed-out query.
    releaseLimitMs: Math.max(1_000, 2 * s.requestTimeoutMs),
    log,
    onObservation,
    onActivity: () => publish(),
  });
  const failingAfter = (s.options as { transactionsFailingAfter?: number }).transactionsFailingAfter ?? 3;
  status = initialPassthroughStatus(till.description, deviceKind(s.driver), failingAfter);
  publish();
  log.info({ till: till.description }, 'passthrough: the till reaches the device through posdiag');

  let published = { ...proxy.counters };
  const refresh = setInterval(() => {
    const c = proxy!.counters;
    if (c.tillToDevice === published.tillToDevice && c.deviceToTill === published.deviceToTill && c.leases === published.leases) return;
    published = { ...c };
    publish();
  }, COUNTER_REFRESH_MS);
  refresh.unref();

  return {
    proxy,
    settlementSeenAt: () => settledAt,
    async close() {
      clearInterval(refresh);
      await proxy!.close();
    },
  };
}

function logObservation(log: Logger, o: LineObservation): void {
  switch (o.type) {
    case 'transaction': {
      const level = o.outcome === 'approved' || o.outcome === 'cancelled' ? 'info' : 'warn';
      log[level]({ kind: o.kind, outcome: o.outcome, resultCode: o.resultCode, ms: Math.round(o.durationMs) }, `till ${o.kind}: ${o.outcome}`);
      return;
    }
    case 'end-of-day':
      log[o.ok ? 'info' : 'warn']({ ok: o.ok, resultCode: o.resultCode, at: new Date(o.at).toISOString() }, 'till end-of-day seen');
      return;
    case 'receipt':
      log.debug({}, 'till receipt printed');
      return;
    case 'unrecognised':
      log.info({ command: o.what }, 'passthrough: the till sent a command posdiag cannot frame; status queries wait for a quiet line');
      return;
  }
}
