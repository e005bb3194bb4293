import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { type HealthSnapshot, type StatusDocument, statusDocument } from '../http/status-document.js';
import type { TargetResult } from '../probes/index.js';
import { registerEventLoopLag } from './event-loop.js';

/** UnifiedPOS / nexo words, so a provider's dashboards read like the standards. */
const POWER_STATES = ['online', 'off', 'offline', 'off_offline', 'unknown'] as const;
const GLOBAL_STATES = ['ok', 'busy', 'maintenance', 'unreachable'] as const;
const PRINTER_STATES = ['ok', 'paper_low', 'no_paper', 'paper_jam', 'out_of_order', 'unknown'] as const;
const CARD_READER_STATES = ['ok', 'fault', 'unknown'] as const;
const OVERALL_STATES = ['ok', 'degraded', 'down', 'unknown'] as const;

export interface AgentMetrics {
  registry: Registry;
  /** The exposition text for one scrape. */
  text(): Promise<string>;
  /** Called by each device session after every poll. */
  observePoll(deviceId: string, durationMs: number, answered: boolean): void;
}

export interface MetricsOptions {
  /**
   * Subscribes to every change a metric could show (a device, the path): with it, a scrape
   * between two changes may reuse the last rendered text (RENDER_REUSE_MS); without it, every
   * scrape renders.
   */
  onChange?(listener: () => void): void;
}

/**
 * A scrape between two changes gets the text rendered for the previous one, if that is younger
 * than this: a dashboard or a load balancer polling /metrics many times a second then costs one
 * render per change, not one per request. Changes invalidate at once, so a fault still shows in
 * the very next scrape; only the process figures (CPU, memory) may be this much older.
 */
const RENDER_REUSE_MS = 250;
/**
 * How often the event-loop lag gauges sample. prom-client's default, 10 ms, is a native timer
 * waking the agent 100 times a second: half of its idle CPU on the benchmark VM (1.12 % of a
 * core; 0.44 % at 1 s: BENCHMARKS.md). At 1 s, the default poll interval, every stall long enough
 * to delay a poll is recorded; shorter ones are sampled.
 */
const EVENT_LOOP_SAMPLE_MS = 1000;

/**
 * Every metric the agent exports. Device, probe and alert gauges are computed at scrape time
 * from the health model (a scrape reads the same state the API does, and costs nothing between
 * scrapes); only poll timings are recorded as they happen. Names are `posdiag_…` in base units,
 * and blackbox_exporter's `probe_…` names where they mean the same, so existing dashboards and
 * alert rules for blackbox probes work on the acquirer checks too.
 */
export function createAgentMetrics(snapshot: () => HealthSnapshot, version: string, options: MetricsOptions = {}): AgentMetrics {
  const registry = new Registry();
  // prom-client's own lag histogram is replaced below (see event-loop.ts); its timer is set to
  // the longest period Node accepts so that it never wakes the agent.
  collectDefaultMetrics({ register: registry, prefix: 'posdiag_', eventLoopMonitoringPrecision: 2 ** 31 - 1 });
  registerEventLoopLag(registry, 'posdiag_', EVENT_LOOP_SAMPLE_MS);

  // One consistent view per scrape, computed once however many gauges read it.
  let current: { health: HealthSnapshot; document: StatusDocument } | null = null;
  /** Bumped by every change a metric could show; a rendered text is reused only for its version. */
  let changes = 0;
  let rendered: { changes: number; at: number; text: Promise<string> } | null = null;
  const reuse = options.onChange !== undefined;
  options.onChange?.(() => {
    changes++;
  });
  const scrape = () => {
    if (current) return current;
    const health = snapshot();
    return { health, document: statusDocument(health, new Date()) };
  };

  new Gauge({
    name: 'posdiag_build_info',
    help: 'Always 1; the agent version as a label.',
    labelNames: ['version'],
    registers: [registry],
  }).set({ version }, 1);

  const pollDuration = new Histogram({
    name: 'posdiag_poll_duration_seconds',
    help: 'Time of one status poll of a device, answered or not.',
    labelNames: ['device', 'answered'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const lastSuccess = new Gauge({
    name: 'posdiag_last_successful_poll_timestamp_seconds',
    help: 'Unix time of the last poll the device answered.',
    labelNames: ['device'],
    registers: [registry],
  });

  const gauge = (name: string, help: string, labelNames: string[], collect: (g: Gauge) => void) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        collect(this);
      },
    });

  gauge('posdiag_device_up', '1 when the device answers over an open link.', ['device', 'driver', 'simulated'], (g) => {
    for (const d of scrape().health.devices) g.set({ device: d.id, driver: d.driver, simulated: String(d.simulated) }, d.connected && !d.unreachable ? 1 : 0);
  });

  // State sets: one series per possible state, 1 for the current one (OpenMetrics StateSet).
  const stateSet = (name: string, help: string, states: readonly string[], pick: (view: StatusDocument['devices'][number]) => string | null) =>
    gauge(name, help, ['device', name.replace(/^posdiag_(device_|printer_|terminal_)?/, '')], (g) => {
      const label = name.replace(/^posdiag_(device_|printer_|terminal_)?/, '');
      for (const view of scrape().document.devices) {
        const current = pick(view);
        if (current === null) continue;
        for (const state of states) g.set({ device: view.id, [label]: state }, state === current ? 1 : 0);
      }
    });
  stateSet('posdiag_device_power_state', 'UnifiedPOS PowerState of the device.', POWER_STATES, (v) => v.power);
  stateSet('posdiag_device_global_status', 'nexo GlobalStatus of the device.', GLOBAL_STATES, (v) => v.globalStatus);
  stateSet('posdiag_printer_status', 'nexo PrinterStatus of a receipt printer.', PRINTER_STATES, (v) => v.printer?.status ?? null);
  stateSet('posdiag_terminal_card_reader', 'Card reader state of a payment terminal.', CARD_READER_STATES, (v) => v.cardReader);

  const flag = (name: string, help: string, pick: (view: StatusDocument['devices'][number]) => boolean | null) =>
    gauge(name, help, ['device'], (g) => {
      for (const view of scrape().document.devices) {
        const value = pick(view);
        if (value !== null) g.set({ device: view.id }, value ? 1 : 0);
      }
    });
  flag('posdiag_printer_cover_open', 'UnifiedPOS CoverOpen: 1 when the printer cover is open.', (v) => v.printer?.coverOpen ?? null);
  flag('posdiag_terminal_locked', '1 when the payment terminal is locked or out of order.', (v) => v.locked);
  flag('posdiag_terminal_logged_on', '1 when the payment terminal is registered / logged on.', (v) => v.loggedOn);
  flag('posdiag_terminal_tamper', '1 when the payment terminal reports tampering.', (v) => v.tamper);
  flag('posdiag_terminal_out_of_order', '1 when the payment terminal is out of order (needs a technician).', (v) => v.outOfOrder);
  flag('posdiag_terminal_settlement_due', '1 when the payment terminal needs an end-of-day settlement (required or overdue).', (v) => v.settlementDue);
  flag('posdiag_terminal_card_inserted', '1 while a card sits in the payment terminal (a payment in progress, not a fault).', (v) => v.zvt?.cardInserted ?? null);
  gauge('posdiag_terminal_last_settlement_timestamp_seconds', 'Unix time of the last end-of-day settlement seen.', ['device'], (g) => {
    for (const view of scrape().document.devices) {
      if (view.lastSettlementAt) g.set({ device: view.id }, Date.parse(view.lastSettlementAt) / 1000);
    }
  });

  const targets = () => scrape().health.network.result?.targets ?? [];
  const perTarget = (name: string, help: string, value: (t: TargetResult) => number | null, extra: string[] = []) =>
    gauge(name, help, ['target', ...extra], (g) => {
      for (const t of targets()) {
        const v = value(t);
        if (v !== null) g.set({ target: t.target }, v);
      }
    });
  perTarget('probe_success', 'Whether the path to the target works (blackbox_exporter meaning).', (t) => (t.verdict.status === 'down' ? 0 : 1));
  perTarget('probe_duration_seconds', 'How long the round of checks for the target took.', (t) => t.durationMs / 1000);
  perTarget('probe_dns_lookup_time_seconds', 'Time of the DNS lookup.', (t) => layerMs(t, 'dns') / 1000);
  perTarget('probe_icmp_duration_seconds', 'Average ICMP (or TCP fallback) round trip over the rolling window.', (t) =>
    t.window?.avgMs != null ? t.window.avgMs / 1000 : null,
  );
  perTarget('posdiag_probe_loss_ratio', 'Echo loss over the rolling window (0..1).', (t) => (t.window ? t.window.lossPercent / 100 : null));
  perTarget('posdiag_probe_tcp_connect_seconds', 'Time of the TCP connect.', (t) => {
    const tcp = t.layers.find((l) => l.layer === 'tcp');
    return tcp?.ok ? tcp.durationMs / 1000 : null;
  });
  perTarget('probe_ssl_earliest_cert_expiry', 'Unix time at which the target certificate expires.', (t) => {
    const tls = t.layers.find((l) => l.layer === 'tls');
    return tls && 'validTo' in tls && tls.validTo ? Date.parse(tls.validTo) / 1000 : null;
  });
  gauge('posdiag_probe_failure', '1 for the layer where the path to the target breaks, with the machine-readable reason.', ['target', 'layer', 'reason'], (g) => {
    for (const t of targets()) {
      if (!t.verdict.failedLayer) continue;
      const failed = t.layers.find((l) => l.layer === t.verdict.failedLayer);
      g.set({ target: t.target, layer: t.verdict.failedLayer, reason: failed?.code ?? 'unknown' }, 1);
    }
  });
  // The fleet view's first column: one word per shop, as /api/v1/status says it.
  gauge('posdiag_overall_state', 'The whole till in one word, as a state set: 1 for the current of ok, degraded, down, unknown.', ['state'], (g) => {
    const overall = scrape().document.overall;
    for (const state of OVERALL_STATES) g.set({ state }, state === overall ? 1 : 0);
  });
  gauge('posdiag_network_path_up', '1 unless the shared path (link, gateway) is broken or every target is down; absent before the first round.', [], (g) => {
    const verdict = scrape().health.network.result?.verdict.status;
    if (verdict) g.set(verdict === 'down' ? 0 : 1);
  });
  // Passthrough: what the till's traffic showed. Counters kept by the agent, exported as such.
  const counter = (name: string, help: string, labelNames: string[], collect: (c: Counter) => void) =>
    new Counter({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        collect(this);
      },
    });
  const passthroughDevices = () => scrape().health.devices.filter((d) => d.passthrough !== null);
  counter('posdiag_passthrough_bytes_total', 'Bytes forwarded between the till and the device (mode: passthrough).', ['device', 'direction'], (c) => {
    for (const d of passthroughDevices()) {
      c.inc({ device: d.id, direction: 'till_to_device' }, d.passthrough!.bytesFromTill - d.passthrough!.tillBytesDropped);
      c.inc({ device: d.id, direction: 'device_to_till' }, d.passthrough!.bytesToTill);
    }
  });
  counter('posdiag_passthrough_till_bytes_dropped_total', 'Bytes the till sent while the device was not connected.', ['device'], (c) => {
    for (const d of passthroughDevices()) c.inc({ device: d.id }, d.passthrough!.tillBytesDropped);
  });
  gauge('posdiag_passthrough_till_busy', '1 while an exchange of the till (a payment, a print job) is in progress.', ['device'], (g) => {
    for (const d of passthroughDevices()) g.set({ device: d.id }, d.passthrough!.activity?.startsWith('till') ? 1 : 0);
  });
  gauge('posdiag_passthrough_till_connected', '1 while a till is connected to the TCP passthrough port.', ['device'], (g) => {
    for (const d of passthroughDevices()) if (d.passthrough!.tillConnected !== null) g.set({ device: d.id }, d.passthrough!.tillConnected ? 1 : 0);
  });
  counter('posdiag_terminal_transactions_total', "Card transactions the till ran through the agent, by outcome.", ['device', 'outcome'], (c) => {
    for (const d of passthroughDevices()) {
      const t = d.passthrough!.transactions;
      if (!t) continue;
      for (const [outcome, n] of [['approved', t.approved], ['declined', t.declined], ['refused', t.refused], ['cancelled', t.cancelled], ['no_completion', t.noCompletion]] as const) {
        c.inc({ device: d.id, outcome }, n);
      }
    }
  });
  gauge('posdiag_terminal_transactions_failed_in_a_row', 'Failed card transactions of the till since the last approved one.', ['device'], (g) => {
    for (const d of passthroughDevices()) if (d.passthrough!.transactions) g.set({ device: d.id }, d.passthrough!.transactions.failedInARow);
  });
  counter('posdiag_printer_receipts_total', 'Receipts (paper cuts) the till printed through the agent.', ['device'], (c) => {
    for (const d of passthroughDevices()) if (d.passthrough!.receipts !== null) c.inc({ device: d.id }, d.passthrough!.receipts);
  });

  gauge('posdiag_alert_active', 'Firing alerts (past alerts.failureThreshold), one series each (1).', ['condition', 'device', 'target', 'severity'], (g) => {
    for (const alert of scrape().document.alerts) {
      if (alert.state !== 'firing') continue; // pending: not yet past the failure threshold
      g.set({ condition: alert.condition, device: alert.device ?? '', target: alert.target ?? '', severity: alert.severity }, 1);
    }
  });

  return {
    registry,
    text() {
      const now = performance.now();
      if (reuse && rendered && rendered.changes === changes && now - rendered.at < RENDER_REUSE_MS) return rendered.text;
      const startedFor = changes;
      const health = snapshot();
      current = { health, document: statusDocument(health, new Date()) };
      const text = registry.metrics().finally(() => {
        current = null;
      });
      rendered = { changes: startedFor, at: now, text };
      // A failed render is not kept: the next scrape tries again.
      text.catch(() => {
        if (rendered?.text === text) rendered = null;
      });
      return text;
    },
    observePoll(deviceId, durationMs, answered) {
      pollDuration.observe({ device: deviceId, answered: String(answered) }, durationMs / 1000);
      if (answered) lastSuccess.set({ device: deviceId }, Date.now() / 1000);
      changes++;
    },
  };
}

function layerMs(t: TargetResult, layer: string): number {
  return t.layers.find((l) => l.layer === layer)?.durationMs ?? 0;
}
