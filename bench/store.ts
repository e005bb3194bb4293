/**
 * What the SQLite store costs: time per write (a flush of readings, an alert transition with its
 * outbox rows) on a real file in a temp dir, and how fast the file grows per day at the default
 * intervals (one reading per subject per minute, flushed every 10 s), so the size bound
 * (storage.maxSizeMb, 64 MB by default) can be checked against the retention (7 days of
 * readings, 90 days of history).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { AlertState } from '../src/alerts/machine.js';
import { AgentStore, defaultStoreOptions } from '../src/store/store.js';
import type { OutboxRow } from '../src/store/types.js';
import { percentile, round } from './proc.js';

const DAY_MS = 86_400_000;

function alert(i: number): AlertState {
  return {
    id: `printer-${i % 8}/printer.paper_out`,
    condition: 'printer.paper_out',
    device: `printer-${i % 8}`,
    target: null,
    phase: i % 2 ? 'resolved' : 'firing',
    severity: 'critical',
    since: new Date().toISOString(),
    startedAt: new Date().toISOString(),
    firedAt: new Date().toISOString(),
    resolvedAt: null,
    failures: 3,
    successes: 0,
    notified: true,
    lastNotifiedAt: null,
    reason: 'paper end sensor',
  };
}

function row(id: number, a: AlertState, notifier: string): OutboxRow {
  return {
    id,
    notifier,
    alertId: a.id,
    createdAt: Date.now(),
    payload: { eventId: `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`, kind: 'firing', at: new Date().toISOString(), site: { id: 'shop-0001', name: 'Corner shop' }, alert: a, previousSeverity: null, summary: 'The receipt printer is out of paper: insert a new thermal roll and close the cover.' },
    attempts: 0,
    nextAttemptAt: Date.now(),
    lastError: null,
  };
}

export async function storeCost(quick: boolean) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-bench-store-'));
  const log = pino({ level: 'silent' });
  let clock = Date.parse('2026-01-05T00:00:00Z');
  const store = new AgentStore(dir, log, { ...defaultStoreOptions, flushIntervalMs: 3_600_000, retryIntervalMs: 3_600_000, now: () => new Date(clock) });
  store.open();
  try {
    const timed = (n: number, fn: (i: number) => void) => {
      const ms: number[] = [];
      for (let i = 0; i < n; i += 1) {
        const t = performance.now();
        fn(i);
        ms.push(performance.now() - t);
      }
      return { p50: round(percentile(ms, 50), 3), p99: round(percentile(ms, 99), 3) };
    };
    const samples = quick ? 200 : 1000;
    // A flush at the default intervals carries about one reading: the cost is the commit (fsync).
    const flushOne = timed(samples, (i) => {
      store.addReading({ at: clock + i, subject: 'device:printer-1', kind: 'device', state: 'ok', latencyMs: 12.5 });
      store.flush();
    });
    const batch = 1000;
    const flushBatch = timed(quick ? 10 : 50, (i) => {
      for (let j = 0; j < batch; j += 1) store.addReading({ at: clock + i * batch + j, subject: `device:printer-${j % 8}`, kind: 'device', state: 'ok', latencyMs: j / 7 });
      store.flush();
    });
    let id = 0;
    const transition = timed(samples, (i) => {
      const a = alert(i);
      store.commitAlerts({
        upserts: [a],
        deletes: [],
        history: [{ id: a.id, from: 'pending', to: 'firing', at: a.since, condition: a.condition, subject: a.device as string, severity: 'critical' }],
        outbox: [row(++id, a, 'webhook:ops'), row(++id, a, 'alertmanager:http://am:9093')],
      });
    });

    // A day at default intervals for a shop with 8 devices and 2 acquirer targets: 12 subjects
    // (8 devices, 2 targets, network, host) × 1440 readings, 200 state-change events, 40 alert
    // transitions with 2 notifiers each (delivered).
    const dayDir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-bench-day-'));
    const day = new AgentStore(dayDir, log, { ...defaultStoreOptions, flushIntervalMs: 3_600_000, retryIntervalMs: 3_600_000, now: () => new Date(clock) });
    day.open();
    const before = day.sizeBytes();
    const subjects = ['network', 'host', 'target:acquirer', 'target:backup', ...Array.from({ length: 8 }, (_, i) => `device:printer-${i}`)];
    for (let minute = 0; minute < 1440; minute += 1) {
      for (const subject of subjects) day.addReading({ at: clock + minute * 60_000, subject, kind: subject.startsWith('device') ? 'device' : 'target', state: 'ok', latencyMs: 10 + (minute % 17) });
      if (minute % 10 === 0) day.flush();
    }
    for (let e = 0; e < 200; e += 1) day.addEvent({ at: clock + e * 400_000, kind: 'device', subject: subjects[e % subjects.length] as string, from: 'ok', to: 'attention' });
    day.flush();
    for (let t = 0; t < 40; t += 1) {
      const a = alert(t);
      const rows = [row(t * 2 + 1, a, 'webhook:ops'), row(t * 2 + 2, a, 'alertmanager:http://am:9093')];
      day.commitAlerts({ upserts: [a], deletes: [], history: [{ id: a.id, from: 'pending', to: 'firing', at: a.since, condition: a.condition, subject: a.device as string, severity: 'critical' }], outbox: rows });
      for (const r of rows) day.markDelivered(r.id, clock);
    }
    const perDay = day.sizeBytes() - before;
    const readingsPerDay = subjects.length * 1440;
    day.close();
    await rm(dayDir, { recursive: true, force: true });
    clock += DAY_MS;
    return {
      phase: 'store',
      flushOneReadingMs: flushOne,
      flushOf1000ReadingsMs: flushBatch,
      perReadingInBatchUs: round((flushBatch.p50 / batch) * 1000, 2),
      alertTransitionWith2OutboxRowsMs: transition,
      day: {
        subjects: subjects.length,
        readings: readingsPerDay,
        bytes: perDay,
        mbPerDay: round(perDay / 1024 / 1024, 2),
        // Readings are kept 7 days, history 90; readings dominate.
        mbAtRetention: round((perDay * 7) / 1024 / 1024, 1),
        defaultBoundMb: defaultStoreOptions.retention.maxBytes / 1024 / 1024,
      },
    };
  } finally {
    store.close();
    await rm(dir, { recursive: true, force: true });
  }
}
