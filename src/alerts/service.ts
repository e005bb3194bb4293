/**
 * Alerting as one start/stop unit for the agent: the store, the outbox with its notifiers, the
 * alert engine and the readings recorder, wired to the health model and the path checks.
 */
import os from 'node:os';
import { Gauge, type Registry } from 'prom-client';
import type { Config } from '../config/index.js';
import type { Fleet } from '../devices/fleet.js';
import type { PathHealth } from '../health/path-health.js';
import type { Logger } from '../log.js';
import { alertmanagerNotifier } from '../notify/alertmanager.js';
import type { Notifier } from '../notify/notifier.js';
import { Outbox } from '../notify/outbox.js';
import { webhookNotifier } from '../notify/webhook.js';
import { ReadingRecorder, subjectState } from '../store/recorder.js';
import { AgentStore, defaultStoreOptions } from '../store/store.js';
import { AlertEngine, type AlertView } from './engine.js';

export interface Alerting {
  store: AgentStore;
  engine: AlertEngine;
  outbox: Outbox;
  views(): AlertView[];
  /** Called by each device session after every poll (for the latency chart). */
  observePoll(deviceId: string, durationMs: number): void;
  /** Adds the store's and the outbox's gauges to the agent's /metrics. */
  registerMetrics(registry: Registry): void;
  /** Lets in-flight sends finish within `graceMs`, then writes everything and closes the file. */
  stop(graceMs: number): Promise<void>;
}

const PRUNE_EVERY_MS = 3_600_000;

/** The site label: configured, or this PC's host name made label-safe. */
export function siteId(configured: string | null): string {
  return configured ?? (os.hostname().toLowerCase().replace(/[^a-z0-9_.-]/g, '-').slice(0, 64) || 'posdiag');
}

export function createNotifiers(config: Config, site: { id: string; name: string | null }): Notifier[] {
  const { notify } = config;
  return [
    ...notify.webhooks.map((w) => webhookNotifier({ ...w, timeoutMs: notify.timeoutMs })),
    ...notify.alertmanager.map((a) => alertmanagerNotifier({ ...a, timeoutMs: notify.timeoutMs }, site, Date.now)),
  ];
}

/** Opens the store and restores the alert states; call before the fleet starts polling. */
export function startAlerting(config: Config, fleet: Fleet, paths: PathHealth, log: Logger): Alerting {
  const now = () => new Date();
  const site = { id: siteId(config.site.id), name: config.site.name };
  const store = new AgentStore(config.storage.dir, log, {
    ...defaultStoreOptions,
    retention: {
      readingsMaxAgeMs: config.storage.readingsDays * 86_400_000,
      historyMaxAgeMs: config.storage.historyDays * 86_400_000,
      maxBytes: config.storage.maxSizeMb * 1024 * 1024,
    },
    now,
  });
  store.open();
  store.prune();
  let engine: AlertEngine | null = null;
  const outbox = new Outbox(createNotifiers(config, site), store, log, {
    retry: config.notify.retry,
    now: Date.now,
    random: Math.random,
    firing: () => engine?.firingNotified() ?? [],
  });
  engine = new AlertEngine(
    {
      policy: {
        failureThreshold: config.alerts.failureThreshold,
        successThreshold: config.alerts.successThreshold,
        reminderIntervalMs: config.alerts.reminderIntervalMs,
      },
      openingHours: config.alerts.openingHours,
      maintenance: config.alerts.maintenance,
      site,
    },
    store,
    outbox,
    log,
    now,
  );
  const known = new Set(['network', 'host', ...config.devices.map((d) => d.id), ...config.network.targets.map((t) => t.name)]);
  engine.restore(known);
  outbox.start();
  log.info(
    { component: 'alerts', site: site.id, notifiers: createNotifiersSummary(config), database: store.file, databaseOk: store.status().ok },
    'alerting ready',
  );

  const recorder = new ReadingRecorder(store, config.storage.sampleIntervalMs);
  const pollMs = new Map<string, number>();
  const alertEngine = engine;
  const onDevice = (id: string) => {
    const device = fleet.health.device(id);
    if (!device) return;
    alertEngine.evaluateDevice(device);
    const known = device.pollCount > 0 || device.unreachable;
    recorder.record(`device:${id}`, 'device', subjectState(device.conditions.map((c) => c.severity), known), pollMs.get(id) ?? null, Date.now());
  };
  // A round of path checks emits one change; evaluate only the part that has a new result, so
  // a host check does not count as another network evaluation.
  let lastNetwork = paths.network().result;
  let lastHost = paths.host().result;
  const onPaths = () => {
    const network = paths.network();
    if (network.result && network.result !== lastNetwork) {
      lastNetwork = network.result;
      alertEngine.evaluatePath(network.conditions, 'network');
      const at = Date.now();
      recorder.record('network', 'target', subjectState(network.conditions.map((c) => c.severity), true), null, at);
      for (const t of network.result.targets) {
        const tcp = t.layers.find((l) => l.layer === 'tcp');
        const latency = t.window?.avgMs ?? (tcp?.ok ? tcp.durationMs : null);
        const severities = network.conditions.filter((c) => c.subject === t.target).map((c) => c.severity);
        recorder.record(`target:${t.target}`, 'target', subjectState(severities, true), latency, at);
      }
    }
    const host = paths.host();
    if (host.result && host.result !== lastHost) {
      lastHost = host.result;
      alertEngine.evaluatePath(host.conditions, 'host');
      recorder.record('host', 'target', subjectState(host.conditions.map((c) => c.severity), true), null, Date.now());
    }
  };
  fleet.health.on('change', onDevice);
  paths.on('change', onPaths);
  const pruneTimer = setInterval(() => store.prune(), PRUNE_EVERY_MS);
  pruneTimer.unref();

  return {
    store,
    engine,
    outbox,
    views: () => alertEngine.views(),
    observePoll: (id, ms) => pollMs.set(id, ms),
    registerMetrics: (registry) => registerAlertingMetrics(registry, store, outbox),
    async stop(graceMs) {
      fleet.health.off('change', onDevice);
      paths.off('change', onPaths);
      clearInterval(pruneTimer);
      await outbox.stop(graceMs);
      store.close();
    },
  };
}

/** Where notifications go, for the start-up log: URLs without credentials, never secrets. */
function createNotifiersSummary(config: Config): string[] {
  const where = (url: string) => {
    try {
      const u = new URL(url);
      return `${u.origin}${u.pathname}`;
    } catch {
      return '[invalid url]';
    }
  };
  return [
    ...config.notify.webhooks.map((w) => `webhook:${w.name} ${where(w.url)}${w.secret ? ' (signed)' : ''}`),
    ...config.notify.alertmanager.map((a) => `alertmanager ${where(a.url)}`),
  ];
}

/**
 * A provider must see a shop whose alerts pile up undelivered or whose database fails, before
 * anyone asks why no alert came.
 */
function registerAlertingMetrics(registry: Registry, store: AgentStore, outbox: Outbox): void {
  new Gauge({
    name: 'posdiag_store_up',
    help: '1 while the SQLite store takes writes; 0 while it runs from memory (disk full, unwritable, corrupt).',
    registers: [registry],
    collect() {
      this.set(store.status().ok ? 1 : 0);
    },
  });
  new Gauge({
    name: 'posdiag_store_queued_writes',
    help: 'Writes held in memory because the database would not take them.',
    registers: [registry],
    collect() {
      this.set(store.status().queuedWrites);
    },
  });
  new Gauge({
    name: 'posdiag_outbox_pending',
    help: 'Notifications written but not yet acknowledged by their receiver.',
    labelNames: ['notifier'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [notifier, rows] of outbox.pendingByNotifier()) this.set({ notifier }, rows.length);
    },
  });
  new Gauge({
    name: 'posdiag_outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest notification still waiting for its receiver; 0 when none waits.',
    labelNames: ['notifier'],
    registers: [registry],
    collect() {
      this.reset();
      const now = Date.now();
      for (const [notifier, rows] of outbox.pendingByNotifier()) {
        this.set({ notifier }, rows.length ? (now - Math.min(...rows.map((r) => r.createdAt))) / 1000 : 0);
      }
    },
  });
}
