import type { AlertState, Transition } from '../alerts/machine.js';
import type { Severity } from '../health/conditions.js';

/** What one notification says, frozen when the alert changed; notifiers shape it for their receiver. */
export interface NotificationPayload {
  /** Unique per notification, the same for every notifier: receivers can drop a repeat delivery. */
  eventId: string;
  kind: 'firing' | 'reminder' | 'severity' | 'resolved';
  /** When the alert changed (ISO-8601), not when it was delivered. */
  at: string;
  site: { id: string; name: string | null };
  alert: AlertState;
  previousSeverity: Severity | null;
  summary: string;
}

/** A notification waiting for (or done with) one notifier. */
export interface OutboxRow {
  /** Increasing in the order the notifications were made; delivery order per alert follows it. */
  id: number;
  notifier: string;
  alertId: string;
  createdAt: number;
  payload: NotificationPayload;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
}

export interface HistoryRow extends Transition {
  condition: string;
  subject: string;
  severity: Severity;
}

/** Everything one evaluation changed, written in one transaction: state, history and outbox together. */
export interface AlertCommit {
  upserts: AlertState[];
  deletes: string[];
  history: HistoryRow[];
  outbox: OutboxRow[];
}

export interface EventRow {
  at: number;
  kind: 'device' | 'probe';
  subject: string;
  from: string | null;
  to: string;
}

export interface ReadingRow {
  at: number;
  subject: string;
  kind: 'device' | 'target';
  state: string;
  latencyMs: number | null;
}

export interface RetentionPolicy {
  readingsMaxAgeMs: number;
  historyMaxAgeMs: number;
  /** Bound on the live data in the file; the oldest readings, then events and history go first. */
  maxBytes: number;
}
