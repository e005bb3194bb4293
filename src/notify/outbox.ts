/**
 * Store-and-forward delivery. A notification is a row in the database before anyone tries to
 * send it (the alert engine writes both in one transaction); this loop sends the rows to their
 * notifier and marks them delivered only on a 2xx. Failures wait with capped backoff, forever:
 * a shop offline for a weekend delivers its weekend on Monday. Each notifier has one lane, so
 * its sends (and Alertmanager reposts) never overlap or overtake each other.
 */
import { randomUUID } from 'node:crypto';
import type { AlertState } from '../alerts/machine.js';
import type { Logger } from '../log.js';
import type { AgentStore } from '../store/store.js';
import type { NotificationPayload, OutboxRow } from '../store/types.js';
import type { Notifier } from './notifier.js';
import { afterFailure, dueRows, type RetryPolicy, retryDelay, type SendOutcome } from './schedule.js';

export interface OutboxOptions {
  retry: RetryPolicy;
  now: () => number;
  random: () => number;
  /** The alerts currently firing and sent, for reposts. */
  firing: () => AlertState[];
}

interface Lane {
  notifier: Notifier;
  rows: OutboxRow[];
  /** Set after the receiver could not be reached: nothing is tried before then. */
  blockedUntil: number;
  unreachableStreak: number;
  busy: Promise<void> | null;
  again: boolean;
  timer: NodeJS.Timeout | null;
  repostTimer: NodeJS.Timeout | null;
}

export class Outbox {
  private readonly lanes = new Map<string, Lane>();
  private lastId = 0;
  private stopped = false;
  private readonly abort = new AbortController();
  private readonly log: Logger;

  constructor(
    notifiers: readonly Notifier[],
    private readonly store: AgentStore,
    log: Logger,
    private readonly options: OutboxOptions,
  ) {
    this.log = log.child({ component: 'outbox' });
    for (const notifier of notifiers) {
      this.lanes.set(notifier.name, { notifier, rows: [], blockedUntil: 0, unreachableStreak: 0, busy: null, again: false, timer: null, repostTimer: null });
    }
    // A fresh file after corruption: the rows still waiting are only in memory; write them back.
    store.onFreshDatabase(() => store.saveOutbox(this.pendingRows()));
  }

  /** Picks up what earlier runs left undelivered, and starts sending. */
  start(): void {
    const stored = this.store.loadPendingOutbox();
    this.lastId = Math.max(this.store.lastOutboxId(), ...stored.map((r) => r.id), this.lastId);
    const orphans = new Set<string>();
    for (const row of stored) {
      const lane = this.lanes.get(row.notifier);
      if (lane) lane.rows.push({ ...row, nextAttemptAt: Math.min(row.nextAttemptAt, this.options.now()) });
      else orphans.add(row.notifier);
    }
    if (stored.length > 0) this.log.info({ pending: stored.length }, 'notifications from before the restart are waiting; sending them');
    if (orphans.size > 0) {
      this.log.warn({ notifiers: [...orphans] }, 'notifications wait for notifiers that are no longer configured; they stay in the database');
    }
    for (const lane of this.lanes.values()) {
      if (lane.notifier.repost) {
        lane.repostTimer = setInterval(() => this.repost(lane), lane.notifier.repost.intervalMs);
        lane.repostTimer.unref();
      }
      this.kick(lane);
    }
  }

  /** Rows for one notification, one per notifier that wants it, with fresh increasing ids. */
  rowsFor(payload: Omit<NotificationPayload, 'eventId'>): OutboxRow[] {
    const full: NotificationPayload = { ...payload, eventId: randomUUID() };
    const now = this.options.now();
    const rows: OutboxRow[] = [];
    for (const lane of this.lanes.values()) {
      if (!lane.notifier.wants(full.kind)) continue;
      this.lastId += 1;
      rows.push({ id: this.lastId, notifier: lane.notifier.name, alertId: full.alert.id, createdAt: now, payload: full, attempts: 0, nextAttemptAt: now, lastError: null });
    }
    return rows;
  }

  /** Rows already written to the store: queue them and send. */
  enqueue(rows: readonly OutboxRow[]): void {
    for (const row of rows) {
      const lane = this.lanes.get(row.notifier);
      if (!lane) continue;
      lane.rows.push(row);
      this.kick(lane);
    }
  }

  /** Waiting rows per configured notifier (every notifier listed, even with none waiting). */
  pendingByNotifier(): Map<string, readonly OutboxRow[]> {
    return new Map([...this.lanes].map(([name, lane]) => [name, lane.rows]));
  }

  pendingRows(): OutboxRow[] {
    return [...this.lanes.values()].flatMap((l) => l.rows);
  }

  /** Stops sending: in-flight sends get `graceMs` to finish, then are cut off (and retried next start). */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    for (const lane of this.lanes.values()) {
      if (lane.timer) clearTimeout(lane.timer);
      if (lane.repostTimer) clearInterval(lane.repostTimer);
    }
    const busy = [...this.lanes.values()].map((l) => l.busy).filter((b): b is Promise<void> => b !== null);
    if (busy.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.all(busy), deadline]);
    clearTimeout(timer);
    this.abort.abort();
    await Promise.all(busy);
  }

  private kick(lane: Lane): void {
    if (this.stopped) return;
    if (lane.busy) {
      lane.again = true;
      return;
    }
    if (lane.timer) clearTimeout(lane.timer);
    lane.timer = null;
    lane.busy = this.drain(lane)
      .catch((error: unknown) => this.log.error({ err: error, notifier: lane.notifier.name }, 'outbox loop failed; retrying'))
      .finally(() => {
        lane.busy = null;
        if (lane.again) {
          lane.again = false;
          this.kick(lane);
        } else {
          this.schedule(lane);
        }
      });
  }

  private schedule(lane: Lane): void {
    if (this.stopped || lane.rows.length === 0) return;
    const now = this.options.now();
    const { wakeAtMs } = dueRows(lane.rows, now);
    const at = Math.max(wakeAtMs ?? now, lane.blockedUntil);
    lane.timer = setTimeout(() => this.kick(lane), Math.max(0, at - now));
  }

  private async drain(lane: Lane): Promise<void> {
    while (!this.stopped) {
      const now = this.options.now();
      if (lane.blockedUntil > now) return;
      const next = dueRows(lane.rows, now).due[0];
      if (!next) return;
      const outcome = await lane.notifier.send(next, this.abort.signal);
      this.settle(lane, next, outcome);
    }
  }

  private settle(lane: Lane, row: OutboxRow, outcome: SendOutcome): void {
    const now = this.options.now();
    if (outcome.ok) {
      lane.rows = lane.rows.filter((r) => r.id !== row.id);
      this.store.markDelivered(row.id, now);
      if (row.attempts > 0 || lane.unreachableStreak > 0) {
        this.log.info({ notifier: lane.notifier.name, alert: row.alertId, kind: row.payload.kind, attempts: row.attempts + 1, waitedMs: now - row.createdAt }, 'notification delivered after retrying');
      }
      lane.unreachableStreak = 0;
      return;
    }
    const failed = afterFailure(row, outcome.error, now, this.options.retry, this.options.random);
    lane.rows = lane.rows.map((r) => (r.id === row.id ? failed : r));
    this.store.markFailed(failed);
    if (outcome.transport) {
      lane.unreachableStreak += 1;
      lane.blockedUntil = now + retryDelay(lane.unreachableStreak, this.options.retry, this.options.random);
    }
    // First failure and then every tenth: a long outage should not fill the log.
    const streak = outcome.transport ? lane.unreachableStreak : failed.attempts;
    if (streak === 1 || streak % 10 === 0) {
      this.log.warn(
        { notifier: lane.notifier.name, url: lane.notifier.where, alert: row.alertId, kind: row.payload.kind, attempts: failed.attempts, status: outcome.status, error: outcome.error, waiting: lane.rows.length, retryInMs: Math.max(failed.nextAttemptAt, lane.blockedUntil) - now },
        'notification not delivered; will retry',
      );
    }
  }

  /** Re-sends what is firing, but only on an idle lane: a queued resolve must not be overtaken. */
  private repost(lane: Lane): void {
    const repost = lane.notifier.repost;
    if (!repost || this.stopped || lane.busy || lane.rows.length > 0 || lane.blockedUntil > this.options.now()) return;
    const firing = this.options.firing();
    if (firing.length === 0) return;
    lane.busy = repost
      .send(firing, this.abort.signal)
      .then((outcome) => {
        if (!outcome.ok) this.log.debug({ notifier: lane.notifier.name, error: outcome.error }, 'repost of firing alerts failed; next interval tries again');
      })
      .finally(() => {
        lane.busy = null;
        if (lane.again) {
          lane.again = false;
          this.kick(lane);
        }
      });
  }
}
