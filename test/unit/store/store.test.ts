import { readdirSync, writeFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../../src/store/database.js';
import type { AgentStore } from '../../../src/store/store.js';
import { alertState, memoryLogger, openStore, outboxRow, tempDir } from './helpers.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

async function fresh(options = {}) {
  const dir = await tempDir();
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const { log, lines } = memoryLogger();
  const store = openStore(dir, log, options);
  cleanup.push(() => store.close());
  return { dir, store, log, lines };
}

describe('store on a real SQLite file', () => {
  it('keeps alert states, history and outbox rows across a restart (WAL, schema version)', async () => {
    const { dir, store, log } = await fresh();
    const firing = alertState('printer-1/printer.paper_out');
    store.commitAlerts({
      upserts: [firing, alertState('printer-1/printer.paper_low', 'pending')],
      deletes: [],
      history: [{ id: firing.id, from: 'pending', to: 'firing', at: firing.since, condition: firing.condition, subject: 'printer-1', severity: 'critical' }],
      outbox: [outboxRow(1, firing), outboxRow(2, firing, 'firing', 'alertmanager:x')],
    });
    store.markDelivered(2, 5_000);
    store.commitAlerts({ upserts: [], deletes: ['printer-1/printer.paper_low'], history: [], outbox: [] });
    store.close();

    const again = openStore(dir, log);
    cleanup.push(() => again.close());
    expect(again.loadAlerts()).toEqual([firing]);
    expect(again.loadPendingOutbox().map((r) => [r.id, r.notifier, r.payload.eventId])).toEqual([[1, 'webhook:test', 'event-1']]);
    expect(again.lastOutboxId()).toBe(2);
    const db = new Database(path.join(dir, DATABASE_FILE), { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect((db.prepare('SELECT COUNT(*) AS n FROM alert_history').get() as { n: number }).n).toBe(1);
    db.close();
  });

  it('buffers readings and events, writes them in one flush, and reads them back by time and subject', async () => {
    const { store } = await fresh();
    for (let i = 0; i < 100; i += 1) store.addReading({ at: 1000 + i, subject: i % 2 ? 'device:printer-1' : 'target:acquirer', kind: i % 2 ? 'device' : 'target', state: 'ok', latencyMs: i });
    store.addEvent({ at: 1050, kind: 'device', subject: 'device:printer-1', from: 'ok', to: 'fault' });
    expect(store.readings(0)).toHaveLength(100); // visible before the flush
    store.flush();
    expect(store.readings(1090)).toHaveLength(10);
    expect(store.readings(0, 'device:printer-1')).toHaveLength(50);
    expect(store.events(0)).toEqual([{ at: 1050, kind: 'device', subject: 'device:printer-1', from: 'ok', to: 'fault' }]);
  });

  it('retention by age drops old readings and history, never undelivered notifications', async () => {
    const day = 86_400_000;
    const now = 100 * day;
    const { store } = await fresh({ now: () => new Date(now), retention: { readingsMaxAgeMs: 7 * day, historyMaxAgeMs: 30 * day, maxBytes: 1e9 } });
    const a = alertState('printer-1/printer.paper_out');
    store.commitAlerts({
      upserts: [a],
      deletes: [],
      history: [
        { id: a.id, from: 'pending', to: 'firing', at: new Date(now - 40 * day).toISOString(), condition: a.condition, subject: 'printer-1', severity: 'critical' },
        { id: a.id, from: 'firing', to: 'resolved', at: new Date(now - 1 * day).toISOString(), condition: a.condition, subject: 'printer-1', severity: 'critical' },
      ],
      outbox: [{ ...outboxRow(1, a), createdAt: now - 60 * day }],
    });
    store.addReading({ at: now - 8 * day, subject: 's', kind: 'device', state: 'ok', latencyMs: 1 });
    store.addReading({ at: now - 6 * day, subject: 's', kind: 'device', state: 'ok', latencyMs: 1 });
    store.flush();
    const report = store.prune();
    expect(report).toMatchObject({ readings: 1, history: 1, outbox: 0 });
    expect(store.readings(0)).toHaveLength(1);
    expect(store.loadPendingOutbox()).toHaveLength(1);
  });

  it('retention by size: stays under the bound, dropping the oldest readings first', async () => {
    const maxBytes = 256 * 1024;
    const { store } = await fresh({ now: () => new Date(20_000), retention: { readingsMaxAgeMs: 1e12, historyMaxAgeMs: 1e12, maxBytes } });
    const a = alertState('printer-1/printer.paper_out');
    store.commitAlerts({ upserts: [a], deletes: [], history: [], outbox: [outboxRow(1, a)] });
    for (let i = 0; i < 20_000; i += 1) store.addReading({ at: i, subject: `device:printer-${i % 4}`, kind: 'device', state: 'attention', latencyMs: i / 10 });
    store.flush();
    expect(store.sizeBytes()).toBeGreaterThan(maxBytes);
    const report = store.prune();
    expect(report?.bytesAfter).toBeLessThanOrEqual(maxBytes);
    expect(store.sizeBytes()).toBeLessThanOrEqual(maxBytes);
    const left = store.readings(0);
    expect(left.length).toBeGreaterThan(0);
    expect(left[0]?.at).toBeGreaterThan(0); // the oldest went first
    expect(left.at(-1)?.at).toBe(19_999);
    expect(store.loadPendingOutbox()).toHaveLength(1);
    expect(store.loadAlerts()).toHaveLength(1);
  });
});

describe('store when the disk misbehaves', () => {
  it('a full database: logs SQLITE_FULL, keeps writes in memory in order, writes them once there is room', async () => {
    const { store, lines } = await fresh({ maxPageCount: 40 });
    expect(store.status().ok).toBe(true);
    const a = alertState('printer-1/printer.paper_out');
    // Fill the file with chart data until SQLite refuses.
    for (let i = 0; i < 30 && store.status().ok; i += 1) {
      for (let j = 0; j < 500; j += 1) store.addReading({ at: i * 1000 + j, subject: 'device:printer-1', kind: 'device', state: 'ok', latencyMs: j });
      store.flush();
    }
    expect(store.status()).toMatchObject({ ok: false, problem: expect.stringContaining('SQLITE_FULL') });
    const error = lines.find((l) => l.code === 'SQLITE_FULL');
    expect(error?.msg).toMatch(/full.*keeping data in memory and retrying/);
    // Alert writes while full are queued, not lost, not reordered.
    store.commitAlerts({ upserts: [a], deletes: [], history: [], outbox: [outboxRow(7, a)] });
    store.markDelivered(7, 9_000);
    store.commitAlerts({ upserts: [], deletes: [], history: [], outbox: [outboxRow(8, a, 'resolved')] });
    expect(store.status().queuedWrites).toBeGreaterThanOrEqual(3);
    // Room again: someone frees space (here: another connection deletes the chart data).
    const admin = new Database(store.file);
    admin.prepare('DELETE FROM readings').run();
    admin.close();
    store.retry();
    expect(store.status()).toMatchObject({ ok: true, queuedWrites: 0 });
    expect(store.loadAlerts().map((s) => s.id)).toEqual([a.id]);
    expect(store.loadPendingOutbox().map((r) => r.id)).toEqual([8]);
    expect(lines.some((l) => l.msg === 'database writable again: everything held in memory is written')).toBe(true);
  });

  it('a storage dir that cannot be created: runs from memory, logs why, catches up when it can', async () => {
    const parent = await tempDir();
    cleanup.push(() => rm(parent, { recursive: true, force: true }));
    const blocker = path.join(parent, 'data');
    await writeFile(blocker, 'a file where the directory should be');
    const { log, lines } = memoryLogger();
    const store = openStore(path.join(blocker, 'db'), log);
    cleanup.push(() => store.close());
    expect(store.status().ok).toBe(false);
    expect(lines.find((l) => l.operation === 'open database')).toMatchObject({ code: 'ENOTDIR', msg: expect.stringMatching(/cannot write the storage directory/) });
    const a = alertState('printer-1/printer.paper_out');
    store.commitAlerts({ upserts: [a], deletes: [], history: [], outbox: [outboxRow(1, a)] });
    expect(store.loadAlerts()).toEqual([]); // nothing on disk yet: memory holds it
    await rm(blocker);
    store.retry();
    expect(store.status().ok).toBe(true);
    expect(store.loadAlerts()).toEqual([a]);
    expect(store.loadPendingOutbox().map((r) => r.id)).toEqual([1]);
  });

  it('a corrupt file: moved aside, a fresh one created, the in-memory state written back', async () => {
    const dir = await tempDir();
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    writeFileSync(path.join(dir, DATABASE_FILE), Buffer.alloc(8192, 0x5a));
    const { log, lines } = memoryLogger();
    let rewrites = 0;
    const store: AgentStore = openStore(dir, log);
    cleanup.push(() => store.close());
    store.onFreshDatabase(() => (rewrites += 1));
    expect(store.status().ok).toBe(true);
    expect(lines.find((l) => typeof l.keptAs === 'string')?.msg).toMatch(/corrupt: moved it aside/);
    expect(readdirSync(dir).some((f) => f.startsWith(`${DATABASE_FILE}.corrupt-`))).toBe(true);
    const a = alertState('printer-1/printer.paper_out');
    store.commitAlerts({ upserts: [a], deletes: [], history: [], outbox: [] });
    expect(store.loadAlerts()).toEqual([a]);
    expect(rewrites).toBe(0); // the listener came after the open; replacement at run time calls it (below)

    // Corruption found while running: the same, and the owners of memory state are called.
    const db = (store as unknown as { db: import('better-sqlite3').Database }).db;
    (store as unknown as { failed(e: unknown, what: string): void }).failed(Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' }), 'save alerts');
    expect(db.open).toBe(false);
    expect(rewrites).toBe(1);
    expect(store.loadAlerts()).toEqual([]); // fresh file; the engine's listener writes its states back
  });

  it('a read-only database file: logs SQLITE_READONLY and keeps going', async () => {
    const { dir, store, lines } = await fresh();
    store.close();
    const { log } = memoryLogger();
    // Another handle in read-only mode stands in for a file the agent may no longer write.
    const readonly = new Database(path.join(dir, DATABASE_FILE), { readonly: true });
    cleanup.push(() => {
      readonly.close();
    });
    const proxy = openStore(dir, log);
    cleanup.push(() => proxy.close());
    (proxy as unknown as { db: unknown }).db = readonly;
    const a = alertState('printer-1/printer.paper_out');
    proxy.commitAlerts({ upserts: [a], deletes: [], history: [], outbox: [] });
    expect(proxy.status()).toMatchObject({ ok: false, problem: expect.stringContaining('SQLITE_READONLY'), queuedWrites: 1 });
    void lines;
  });
});
