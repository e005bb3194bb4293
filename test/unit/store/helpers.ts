import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { AlertState } from '../../../src/alerts/machine.js';
import type { Logger } from '../../../src/log.js';
import { AgentStore, defaultStoreOptions, type StoreOptions } from '../../../src/store/store.js';
import type { OutboxRow } from '../../../src/store/types.js';

/** A logger whose lines are kept as objects, so tests can read what the store said. */
export function memoryLogger(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines };
}

export const tempDir = (prefix = 'posdiag-store-') => mkdtemp(path.join(os.tmpdir(), prefix));

export function openStore(dir: string, log: Logger, options: Partial<StoreOptions> = {}): AgentStore {
  const store = new AgentStore(dir, log, { ...defaultStoreOptions, retryIntervalMs: 60_000, flushIntervalMs: 60_000, now: () => new Date(), ...options });
  store.open();
  return store;
}

export function alertState(id: string, phase: AlertState['phase'] = 'firing'): AlertState {
  const [subject, condition] = id.split('/') as [string, string];
  return {
    id,
    condition,
    device: subject,
    target: null,
    phase,
    severity: 'critical',
    since: '2026-01-05T10:00:00.000Z',
    startedAt: '2026-01-05T09:59:58.000Z',
    firedAt: phase === 'pending' ? null : '2026-01-05T10:00:00.000Z',
    resolvedAt: null,
    failures: 3,
    successes: 0,
    notified: phase !== 'pending',
    lastNotifiedAt: null,
    reason: null,
  };
}

export function outboxRow(id: number, alert: AlertState, kind: OutboxRow['payload']['kind'] = 'firing', notifier = 'webhook:test'): OutboxRow {
  return {
    id,
    notifier,
    alertId: alert.id,
    createdAt: 1_000 + id,
    payload: { eventId: `event-${id}`, kind, at: new Date(1_000 + id).toISOString(), site: { id: 'shop-1', name: null }, alert, previousSeverity: null, summary: 'x' },
    attempts: 0,
    nextAttemptAt: 0,
    lastError: null,
  };
}
