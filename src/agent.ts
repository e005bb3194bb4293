import { mkdir } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/index.js';
import { type Alerting, startAlerting } from './alerts/service.js';
import { createFleet, type Fleet } from './devices/fleet.js';
import { PathHealth } from './health/path-health.js';
import { startAgentHeartbeat } from './heartbeat/index.js';
import { buildServer } from './http/server.js';
import { type StatusPageWiring, statusPageWiring } from './http/status-page-deps.js';
import { serverTls } from './http/tls.js';
import { type HealthSnapshot, statusDocument } from './http/status-document.js';
import { type AgentMetrics, createAgentMetrics } from './metrics/registry.js';
import { createPathChecks, type PathMonitor, startPathMonitor } from './probes/monitor.js';
import { type CalendarHandle, scheduleCalendar } from './probes/scheduler.js';
import type { Logger } from './log.js';
import { version } from './version.js';

export interface RunningAgent {
  fleet: Fleet;
  paths: PathHealth;
  /** Where the HTTP server listens, e.g. `http://127.0.0.1:9137`. */
  url: string;
  http: FastifyInstance;
  /** Alert states, the store and the notification outbox. */
  alerting: Alerting;
  /** The graceful shutdown: HTTP, devices and checks stop; in-flight notifications get a few seconds; the store is flushed. */
  stop(): Promise<void>;
}

/**
 * How long stop() lets notifications already on the wire finish; the rest stay in the outbox
 * and go after the next start. Well inside the service manager's stop timeout.
 */
const notifyGraceMs = 3_000;

/** Starts everything a config describes: the devices' sessions, then the HTTP server. */
export async function startAgent(config: Config, log: Logger): Promise<RunningAgent> {
  // The data directory must exist and be ours before anything is written to it.
  // A directory we cannot create is the store's problem to report and retry, not a reason to
  // leave the till unwatched.
  await mkdir(config.storage.dir, { recursive: true }).catch((error: unknown) => log.error({ err: error, dir: config.storage.dir }, 'cannot create storage.dir; alerts are kept in memory until it works'));
  const paths = new PathHealth();
  // Sessions report poll timings to the metrics, which read the fleet's health: bound late,
  // before the first poll (polling starts with fleet.start()).
  let metrics: AgentMetrics | null = null;
  let alerting: Alerting | null = null;
  let statusPage: StatusPageWiring | null = null;
  const fleet = await createFleet(config.devices, log, {
    onPoll: (id, ms, answered) => {
      metrics?.observePoll(id, ms, answered);
      alerting?.observePoll(id, ms);
      statusPage?.observePoll(id, ms, answered);
    },
  });
  // Before the first poll: restored alert states must be in place when evaluations begin.
  const alerts = startAlerting(config, fleet, paths, log);
  alerting = alerts;
  const snapshot = (): HealthSnapshot => ({ devices: fleet.health.allDevices(), network: paths.network(), host: paths.host(), alerts: alerts.views() });
  metrics = createAgentMetrics(snapshot, version, {
    onChange(listener) {
      fleet.health.on('change', listener);
      paths.on('change', listener);
    },
  });
  alerts.registerMetrics(metrics.registry);
  // "Check now" on the page runs the path checks too; the monitor starts after listen.
  let checkPaths = async (): Promise<void> => {};
  const startedAt = new Date();
  statusPage = statusPageWiring({
    config,
    health: fleet.health,
    paths,
    log,
    version,
    startedAt,
    alerts: alerts.views,
    store: alerts.store,
    pollNow: () => fleet.pollNow(),
    checkPaths: () => checkPaths(),
  });
  const http = await buildServer({
    health: fleet.health,
    paths,
    metrics,
    log,
    version,
    startedAt,
    token: config.http.token,
    tls: serverTls(config.http, log),
    simulators: fleet.simulators,
    pollNow: fleet.pollNow,
    alerts: alerts.views,
    now: () => new Date(),
    statusPage: statusPage.deps,
  });
  let address: string;
  try {
    address = await http.listen({ host: config.http.listen.host, port: config.http.listen.port });
  } catch (error) {
    await fleet.stop();
    await alerts.stop(0);
    throw error;
  }
  log.info({ url: address, devices: config.devices.length }, 'posdiag listening');
  fleet.start();
  const monitor: PathMonitor = startPathMonitor(
    createPathChecks(config.network, config.host, config.storage.dir, paths, { streamIcmp: true }),
    config.network,
    config.host,
    log,
  );
  checkPaths = () => monitor.checkNow();

  const selfCheck = config.selfCheck.cron ? scheduleSelfCheck(config, fleet, paths, monitor, log, alerts) : null;
  const settlementReminder = config.settlementReminder.cron ? scheduleSettlementReminder(config, fleet, log) : null;
  const heartbeat = startAgentHeartbeat(config, { version, status: () => statusDocument(snapshot(), new Date()), metrics, log });

  return {
    fleet,
    paths,
    url: address,
    http,
    alerting: alerts,
    async stop() {
      await http.close();
      await Promise.all([fleet.stop(), monitor.stop(), selfCheck?.stop(), settlementReminder?.stop(), heartbeat.stop()]);
      statusPage?.stop();
      await alerts.stop(notifyGraceMs);
    },
  };
}

/**
 * Once a day at a fixed local time: poll every device, run every network and host check, and
 * write one summary line. A provider reading the log sees every morning that the agent works.
 */
function scheduleSelfCheck(config: Config, fleet: Fleet, paths: PathHealth, monitor: PathMonitor, log: Logger, alerting: Alerting): CalendarHandle {
  return calendarJob('self-check', config.selfCheck, 60_000, log, async (jobLog) => {
    fleet.pollNow();
    await monitor.checkNow();
    const document = statusDocument({ devices: fleet.health.allDevices(), network: paths.network(), host: paths.host(), alerts: alerting.views() }, new Date());
    jobLog.info(
      { overall: document.overall, devices: document.devices.length, alerts: document.alerts.map((a) => `${a.device ?? a.target}/${a.condition}`) },
      'daily self-check',
    );
  });
}

/** At closing time: every terminal without an end-of-day in the last shop day gets a reminder. */
function scheduleSettlementReminder(config: Config, fleet: Fleet, log: Logger): CalendarHandle {
  return calendarJob('settlement-reminder', config.settlementReminder, 10_000, log, async (jobLog) => {
    const reminded = fleet.health.remindSettlement(new Date());
    if (reminded.length > 0) jobLog.warn({ devices: reminded }, 'closing time: no end-of-day settlement seen today; run it on the terminal');
  });
}

/** A job on a cron expression in a time zone, with its own log component; a failure is logged, never thrown. */
function calendarJob(
  name: string,
  when: { cron: string | null; timezone: string | null },
  timeoutMs: number,
  log: Logger,
  run: (jobLog: Logger) => Promise<void>,
): CalendarHandle {
  const jobLog = log.child({ component: name });
  return scheduleCalendar(
    { name, expression: when.cron as string, ...(when.timezone ? { timezone: when.timezone } : {}), timeoutMs, run: () => run(jobLog) },
    { logger: jobLog, onOutcome: (o) => o.error && jobLog.error({ err: o.error }, `${name} failed`) },
  );
}
