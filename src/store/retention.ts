import type { Db } from './database.js';
import type { RetentionPolicy } from './types.js';

export interface PruneReport {
  readings: number;
  events: number;
  history: number;
  outbox: number;
  bytesBefore: number;
  bytesAfter: number;
}

/** Delivered notifications are kept this long, for "what did we send?" questions. */
const DELIVERED_KEEP_MS = 7 * 86_400_000;

/**
 * Drops what is older than the policy allows, then, while the live data is still over the size
 * bound, the oldest tenth of the least valuable table: readings (chart data) first, then events,
 * then alert history, then delivered notifications. Undelivered notifications and current alert
 * states are never dropped: they are what "never lost" means.
 */
export function pruneDatabase(db: Db, policy: RetentionPolicy, nowMs: number): PruneReport {
  const bytesBefore = liveBytes(db);
  const report: PruneReport = { readings: 0, events: 0, history: 0, outbox: 0, bytesBefore, bytesAfter: bytesBefore };
  db.transaction(() => {
    report.readings += db.prepare('DELETE FROM readings WHERE at < ?').run(nowMs - policy.readingsMaxAgeMs).changes;
    report.events += db.prepare('DELETE FROM events WHERE at < ?').run(nowMs - policy.historyMaxAgeMs).changes;
    report.history += db.prepare('DELETE FROM alert_history WHERE at < ?').run(nowMs - policy.historyMaxAgeMs).changes;
    report.outbox += db.prepare('DELETE FROM outbox WHERE delivered_at IS NOT NULL AND delivered_at < ?').run(nowMs - DELIVERED_KEEP_MS).changes;
  })();

  const tables = [
    { key: 'readings', table: 'readings', order: 'at', where: '1' },
    { key: 'events', table: 'events', order: 'seq', where: '1' },
    { key: 'history', table: 'alert_history', order: 'seq', where: '1' },
    { key: 'outbox', table: 'outbox', order: 'id', where: 'delivered_at IS NOT NULL' },
  ] as const;
  for (const t of tables) {
    while (liveBytes(db) > policy.maxBytes) {
      const count = (db.prepare(`SELECT COUNT(*) AS n FROM ${t.table} WHERE ${t.where}`).get() as { n: number }).n;
      if (count === 0) break;
      const batch = Math.max(1, Math.ceil(count / 10));
      report[t.key] += db
        .prepare(`DELETE FROM ${t.table} WHERE rowid IN (SELECT rowid FROM ${t.table} WHERE ${t.where} ORDER BY ${t.order} LIMIT ?)`)
        .run(batch).changes;
    }
  }
  // Give freed pages back to the file system (auto_vacuum = INCREMENTAL), so the file shrinks too.
  db.pragma('incremental_vacuum');
  report.bytesAfter = liveBytes(db);
  return report;
}

export function liveBytes(db: Db): number {
  const pages = (db.pragma('page_count', { simple: true }) as number) - (db.pragma('freelist_count', { simple: true }) as number);
  return pages * (db.pragma('page_size', { simple: true }) as number);
}
