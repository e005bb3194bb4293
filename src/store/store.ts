/**
 * The agent's durable memory: alert states and their history, the notification outbox, device
 * and probe events, and a rolling history of readings, in one SQLite file under storage.dir.
 *
 * It never throws at its callers. When the disk is full, the directory unwritable or the file
 * corrupt, it logs exactly what SQLite said, keeps the writes in memory in order, and retries;
 * the alerts keep working from memory meanwhile. A corrupt file is moved aside (kept for
 * inspection) and replaced by a fresh one, whose contents the owners of the in-memory state
 * write back (see onFreshDatabase).
 */
import type { Logger } from '../log.js';
import type { AlertState } from '../alerts/machine.js';
import { DATABASE_FILE, type Db, isCorruption, moveAside, openDatabase } from './database.js';
import { pruneDatabase, type PruneReport } from './retention.js';
import type { AlertCommit, EventRow, OutboxRow, ReadingRow, RetentionPolicy } from './types.js';
import path from 'node:path';

interface Write {
  what: string;
  /** Chart data may be dropped when writes pile up in memory; alerts and the outbox never are. */
  droppable: boolean;
  run(db: Db): void;
}

export interface StoreOptions {
  retention: RetentionPolicy;
  /** How often buffered readings and events are written, and failed writes retried. */
  flushIntervalMs: number;
  retryIntervalMs: number;
  /** Droppable writes held in memory while the database is unavailable, at most. */
  maxQueuedWrites: number;
  now: () => Date;
  /** Tests only: a cap on the file's pages, to get a real SQLITE_FULL without filling a disk. */
  maxPageCount?: number;
}

export interface StoreStatus {
  ok: boolean;
  /** What is wrong, in SQLite's or the OS's words; null when all is well. */
  problem: string | null;
  queuedWrites: number;
  droppedWrites: number;
  file: string;
}

export const defaultStoreOptions: Omit<StoreOptions, 'now'> = {
  retention: { readingsMaxAgeMs: 7 * 86_400_000, historyMaxAgeMs: 90 * 86_400_000, maxBytes: 64 * 1024 * 1024 },
  flushIntervalMs: 10_000,
  retryIntervalMs: 30_000,
  maxQueuedWrites: 10_000,
};

export class AgentStore {
  private db: Db | null = null;
  private readonly queue: Write[] = [];
  private readingBuffer: ReadingRow[] = [];
  private eventBuffer: EventRow[] = [];
  private problem: string | null = null;
  private dropped = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly freshListeners: Array<() => void> = [];
  private readonly log: Logger;
  readonly file: string;

  constructor(
    private readonly dir: string,
    log: Logger,
    private readonly options: StoreOptions,
  ) {
    this.log = log.child({ component: 'store' });
    this.file = path.join(dir, DATABASE_FILE);
  }

  /** Opens the file; on failure the store runs from memory and retries. */
  open(): void {
    this.tryOpen();
    this.flushTimer = setInterval(() => this.flush(), this.options.flushIntervalMs);
    this.flushTimer.unref();
  }

  status(): StoreStatus {
    return { ok: this.problem === null, problem: this.problem, queuedWrites: this.queue.length, droppedWrites: this.dropped, file: this.file };
  }

  /** Called after a corrupt file was replaced: write your in-memory state back. */
  onFreshDatabase(listener: () => void): void {
    this.freshListeners.push(listener);
  }

  // ---- reads (empty while the database is unavailable: memory is the source of truth then) ----

  loadAlerts(): AlertState[] {
    return this.read('load alerts', [], (db) =>
      (db.prepare('SELECT state FROM alerts ORDER BY id').all() as Array<{ state: string }>).map((r) => JSON.parse(r.state) as AlertState),
    );
  }

  loadPendingOutbox(): OutboxRow[] {
    return this.read('load outbox', [], (db) =>
      (db.prepare('SELECT * FROM outbox WHERE delivered_at IS NULL ORDER BY id').all() as OutboxRecord[]).map(fromOutboxRecord),
    );
  }

  /** The highest outbox id ever written, so new ids keep increasing across restarts. */
  lastOutboxId(): number {
    return this.read('read outbox ids', 0, (db) => (db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM outbox').get() as { id: number }).id);
  }

  /** Readings since `sinceMs`, oldest first, including those not yet flushed; for charts. */
  readings(sinceMs: number, subject?: string): ReadingRow[] {
    const stored = this.read('read readings', [] as ReadingRow[], (db) => {
      const rows = (
        subject === undefined
          ? db.prepare('SELECT at, subject, kind, state, latency_ms FROM readings WHERE at >= ? ORDER BY at').all(sinceMs)
          : db.prepare('SELECT at, subject, kind, state, latency_ms FROM readings WHERE subject = ? AND at >= ? ORDER BY at').all(subject, sinceMs)
      ) as Array<{ at: number; subject: string; kind: 'device' | 'target'; state: string; latency_ms: number | null }>;
      return rows.map((r) => ({ at: r.at, subject: r.subject, kind: r.kind, state: r.state, latencyMs: r.latency_ms }));
    });
    const buffered = this.readingBuffer.filter((r) => r.at >= sinceMs && (subject === undefined || r.subject === subject));
    return [...stored, ...buffered];
  }

  events(sinceMs: number): EventRow[] {
    const stored = this.read('read events', [] as EventRow[], (db) =>
      (db.prepare('SELECT at, kind, subject, from_state, to_state FROM events WHERE at >= ? ORDER BY seq').all(sinceMs) as Array<{
        at: number;
        kind: 'device' | 'probe';
        subject: string;
        from_state: string | null;
        to_state: string;
      }>).map((r) => ({ at: r.at, kind: r.kind, subject: r.subject, from: r.from_state, to: r.to_state })),
    );
    return [...stored, ...this.eventBuffer.filter((e) => e.at >= sinceMs)];
  }

  /** Bytes of live data (pages in use), the figure the size bound applies to. */
  sizeBytes(): number {
    return this.read('measure size', 0, (db) => {
      const pages = (db.pragma('page_count', { simple: true }) as number) - (db.pragma('freelist_count', { simple: true }) as number);
      return pages * (db.pragma('page_size', { simple: true }) as number);
    });
  }

  // ---- writes ----

  /** Alert states, their history and their outbox rows, all or nothing. */
  commitAlerts(commit: AlertCommit): void {
    this.write({
      what: 'save alerts',
      droppable: false,
      run: (db) => {
        const upsert = db.prepare('INSERT INTO alerts (id, phase, state) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET phase = excluded.phase, state = excluded.state');
        for (const a of commit.upserts) upsert.run(a.id, a.phase, JSON.stringify(a));
        const remove = db.prepare('DELETE FROM alerts WHERE id = ?');
        for (const id of commit.deletes) remove.run(id);
        const history = db.prepare(
          'INSERT INTO alert_history (at, alert_id, condition, subject, from_phase, to_phase, severity) VALUES (?, ?, ?, ?, ?, ?, ?)',
        );
        for (const h of commit.history) history.run(Date.parse(h.at), h.id, h.condition, h.subject, h.from, h.to, h.severity);
        insertOutbox(db, commit.outbox);
      },
    });
  }

  /** Re-writes rows kept in memory (after a fresh database replaced a corrupt one). */
  saveOutbox(rows: OutboxRow[]): void {
    this.write({ what: 'save outbox', droppable: false, run: (db) => insertOutbox(db, rows) });
  }

  markDelivered(id: number, atMs: number): void {
    this.write({ what: 'mark delivered', droppable: false, run: (db) => db.prepare('UPDATE outbox SET delivered_at = ?, last_error = NULL WHERE id = ?').run(atMs, id) });
  }

  markFailed(row: OutboxRow): void {
    this.write({
      what: 'record delivery failure',
      droppable: true,
      run: (db) => db.prepare('UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?').run(row.attempts, row.nextAttemptAt, row.lastError, row.id),
    });
  }

  /** Buffered, written every flush interval in one transaction. */
  addReading(reading: ReadingRow): void {
    this.readingBuffer.push(reading);
  }

  addEvent(event: EventRow): void {
    this.eventBuffer.push(event);
  }

  /** Writes buffered readings and events, and retries failed writes. */
  flush(): void {
    if (this.readingBuffer.length > 0) {
      const rows = this.readingBuffer;
      this.readingBuffer = [];
      this.write({
        what: `save ${rows.length} readings`,
        droppable: true,
        run: (db) => {
          const insert = db.prepare('INSERT INTO readings (at, subject, kind, state, latency_ms) VALUES (?, ?, ?, ?, ?)');
          for (const r of rows) insert.run(r.at, r.subject, r.kind, r.state, r.latencyMs);
        },
      });
    }
    if (this.eventBuffer.length > 0) {
      const rows = this.eventBuffer;
      this.eventBuffer = [];
      this.write({
        what: `save ${rows.length} events`,
        droppable: true,
        run: (db) => {
          const insert = db.prepare('INSERT INTO events (at, kind, subject, from_state, to_state) VALUES (?, ?, ?, ?, ?)');
          for (const e of rows) insert.run(e.at, e.kind, e.subject, e.from, e.to);
        },
      });
    }
  }

  /** Applies the retention policy; returns what was removed (null while unavailable). */
  prune(): PruneReport | null {
    if (!this.db || this.queue.length > 0) return null;
    try {
      return pruneDatabase(this.db, this.options.retention, this.options.now().getTime());
    } catch (error) {
      this.failed(error, 'retention');
      return null;
    }
  }

  /** Writes what is buffered and closes the file. Writes still failing are logged as lost. */
  close(): void {
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.flushTimer = this.retryTimer = null;
    this.flush();
    if (this.queue.length > 0) this.retry();
    if (this.queue.length > 0) {
      this.log.error({ file: this.file, lostWrites: this.queue.map((w) => w.what), problem: this.problem }, 'stopping with writes the database would not take');
    }
    try {
      this.db?.close();
    } catch (error) {
      this.log.error({ err: error }, 'closing the database failed');
    }
    this.db = null;
  }

  // ---- failure handling ----

  private read<T>(what: string, fallback: T, run: (db: Db) => T): T {
    if (!this.db) return fallback;
    try {
      return run(this.db);
    } catch (error) {
      this.failed(error, what);
      return fallback;
    }
  }

  private write(write: Write): void {
    // Behind queued writes nothing may overtake: order is what makes the outbox trustworthy.
    if (this.db && this.queue.length === 0) {
      try {
        const db = this.db;
        db.transaction(() => write.run(db))();
        return;
      } catch (error) {
        this.failed(error, write.what);
      }
    }
    this.enqueue(write);
  }

  private enqueue(write: Write): void {
    this.queue.push(write);
    const droppable = this.queue.filter((w) => w.droppable).length;
    if (droppable > this.options.maxQueuedWrites) {
      const index = this.queue.findIndex((w) => w.droppable);
      this.queue.splice(index, 1);
      this.dropped += 1;
      if (this.dropped === 1 || this.dropped % 100 === 0) {
        this.log.warn({ dropped: this.dropped }, 'database unavailable for long: dropping the oldest chart data held in memory (alerts and notifications are kept)');
      }
    }
    this.scheduleRetry();
  }

  private failed(error: unknown, what: string): void {
    const code = (error as { code?: string }).code ?? null;
    const message = error instanceof Error ? error.message : String(error);
    const problem = `${what}: ${message}${code ? ` (${code})` : ''}`;
    if (problem !== this.problem) {
      this.log.error({ file: this.file, code, operation: what, error: message }, `database write failed: ${hint(code)}; keeping data in memory and retrying every ${Math.round(this.options.retryIntervalMs / 1000)} s`);
    }
    this.problem = problem;
    if (isCorruption(error)) this.replaceCorrupt();
    this.scheduleRetry();
  }

  private tryOpen(): boolean {
    try {
      this.db = openDatabase(this.dir, this.options.maxPageCount);
      return true;
    } catch (error) {
      if (isCorruption(error)) {
        this.replaceCorrupt();
        return this.db !== null;
      }
      this.failed(error, 'open database');
      return false;
    }
  }

  private replaceCorrupt(): void {
    try {
      this.db?.close();
    } catch {
      // closing a corrupt handle may fail too; it is being replaced either way
    }
    this.db = null;
    try {
      const kept = moveAside(this.dir, this.options.now());
      this.log.error({ file: this.file, keptAs: kept }, 'database file is corrupt: moved it aside and starting a fresh one; alert states and pending notifications are written back from memory');
      this.db = openDatabase(this.dir, this.options.maxPageCount);
      for (const listener of this.freshListeners) listener();
    } catch (error) {
      this.problem = `replace corrupt database: ${error instanceof Error ? error.message : String(error)}`;
      this.log.error({ file: this.file, error: this.problem }, 'cannot replace the corrupt database; running from memory and retrying');
      this.scheduleRetry();
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer || (this.db && this.queue.length === 0)) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.retry();
    }, this.options.retryIntervalMs);
    this.retryTimer.unref();
  }

  /** Re-opens if needed and writes the queue in order, stopping at the first failure. */
  retry(): void {
    if (!this.db && !this.tryOpen()) return this.scheduleRetry();
    const hadProblem = this.problem !== null;
    while (this.queue.length > 0 && this.db) {
      const write = this.queue[0] as Write;
      try {
        const db = this.db;
        db.transaction(() => write.run(db))();
        this.queue.shift();
      } catch (error) {
        this.failed(error, write.what);
        // A full disk may be relieved by dropping old chart data; try once before waiting.
        if ((error as { code?: string }).code === 'SQLITE_FULL') this.prune();
        return this.scheduleRetry();
      }
    }
    if (hadProblem && this.db) {
      this.problem = null;
      this.log.warn({ file: this.file }, 'database writable again: everything held in memory is written');
    }
  }
}

function hint(code: string | null): string {
  switch (code) {
    case 'SQLITE_FULL':
      return 'the disk (or the database size cap) is full';
    case 'SQLITE_READONLY':
    case 'SQLITE_CANTOPEN':
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
    case 'ENOTDIR':
      return 'cannot write the storage directory';
    case 'SQLITE_IOERR':
      return 'the disk reported an I/O error';
    default:
      return isCorruption({ code }) ? 'the database file is corrupt' : 'unexpected database error';
  }
}

interface OutboxRecord {
  id: number;
  notifier: string;
  alert_id: string;
  created_at: number;
  payload: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
}

function fromOutboxRecord(r: OutboxRecord): OutboxRow {
  return {
    id: r.id,
    notifier: r.notifier,
    alertId: r.alert_id,
    createdAt: r.created_at,
    payload: JSON.parse(r.payload) as OutboxRow['payload'],
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
  };
}

function insertOutbox(db: Db, rows: OutboxRow[]): void {
  if (rows.length === 0) return;
  // OR IGNORE: a row re-written from memory after a retry or a fresh file is the same row.
  const insert = db.prepare(
    'INSERT OR IGNORE INTO outbox (id, notifier, alert_id, created_at, payload, attempts, next_attempt_at, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  for (const r of rows) insert.run(r.id, r.notifier, r.alertId, r.createdAt, JSON.stringify(r.payload), r.attempts, r.nextAttemptAt, r.lastError);
}
