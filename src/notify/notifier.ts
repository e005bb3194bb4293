import type { AlertState } from '../alerts/machine.js';
import type { NotificationPayload, OutboxRow } from '../store/types.js';
import type { SendOutcome } from './schedule.js';

/**
 * A receiver of notifications (one configured webhook, one Alertmanager). Adding a kind of
 * receiver is one file with a pure body builder and a short send, plus one entry in
 * createNotifiers (notifiers.ts).
 */
export interface Notifier {
  /** Stable across restarts: outbox rows name their notifier, e.g. `webhook:ops`. */
  name: string;
  /** URL without secrets, for logs. */
  where: string;
  wants(kind: NotificationPayload['kind']): boolean;
  send(row: OutboxRow, signal: AbortSignal): Promise<SendOutcome>;
  /**
   * Receivers that forget alerts nobody repeats (Alertmanager resolves an alert whose endsAt
   * passed) get the firing ones again this often, when their queue is empty.
   */
  repost?: { intervalMs: number; send(firing: AlertState[], signal: AbortSignal): Promise<SendOutcome> };
}
