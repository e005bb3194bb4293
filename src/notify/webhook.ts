import { createHmac } from 'node:crypto';
import type { NotificationPayload, OutboxRow } from '../store/types.js';
import { postJson, safeUrl } from './http-post.js';
import type { Notifier } from './notifier.js';

export interface WebhookConfig {
  name: string;
  url: string;
  /** HMAC-SHA256 key for the signature header; null: unsigned. Never logged. */
  secret: string | null;
  sendResolved: boolean;
  timeoutMs: number;
}

export const SIGNATURE_HEADER = 'x-posdiag-signature-256';
export const EVENT_HEADER = 'x-posdiag-event';

/** The JSON a webhook receives: one notification, flat enough for a chat bot or a ticket system. */
export function webhookBody(payload: NotificationPayload) {
  const a = payload.alert;
  return {
    version: 1,
    eventId: payload.eventId,
    kind: payload.kind,
    at: payload.at,
    site: payload.site,
    alert: {
      id: a.id,
      condition: a.condition,
      device: a.device,
      target: a.target,
      severity: a.severity,
      previousSeverity: payload.previousSeverity,
      state: a.phase,
      startedAt: a.startedAt,
      firedAt: a.firedAt,
      resolvedAt: a.resolvedAt,
      reason: a.reason,
      summary: payload.summary,
    },
  };
}

/** `sha256=<hex>` over the exact body bytes, as GitHub does, so receivers can reuse their check. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function webhookNotifier(config: WebhookConfig): Notifier {
  return {
    name: `webhook:${config.name}`,
    where: safeUrl(config.url),
    wants: (kind) => kind !== 'resolved' || config.sendResolved,
    send(row: OutboxRow, signal: AbortSignal) {
      const body = JSON.stringify(webhookBody(row.payload));
      const headers: Record<string, string> = { [EVENT_HEADER]: row.payload.eventId };
      if (config.secret) headers[SIGNATURE_HEADER] = signature(config.secret, body);
      return postJson(config.url, body, headers, config.timeoutMs, signal);
    },
  };
}
