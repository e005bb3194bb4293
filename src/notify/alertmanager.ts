import type { AlertState } from '../alerts/machine.js';
import { summaryOf } from '../alerts/catalogue.js';
import type { Severity } from '../health/conditions.js';
import type { NotificationPayload, OutboxRow } from '../store/types.js';
import { postJson, safeUrl } from './http-post.js';
import type { Notifier } from './notifier.js';

export interface AlertmanagerConfig {
  /** Base URL, e.g. http://alertmanager:9093; `/api/v2/alerts` is appended. */
  url: string;
  repostIntervalMs: number;
  timeoutMs: number;
}

/** One element of the body of `POST /api/v2/alerts` (Alertmanager's postableAlert). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
}

export interface Site {
  id: string;
  name: string | null;
}

/**
 * How long Alertmanager should believe a firing alert without hearing of it again. We repost
 * every interval, so three missed reposts (a dead agent) end it, as Prometheus does with
 * 4 × its resend delay. An agent that dies is reported by the heartbeat, not by this.
 */
export const validityFactor = 3;

/** Labels identify the alert in Alertmanager: the same labels mean the same alert. */
export function labels(alert: AlertState, site: Site, severity: Severity = alert.severity): Record<string, string> {
  return {
    alertname: alert.condition,
    ...(alert.device ? { device: alert.device } : {}),
    ...(alert.target ? { target: alert.target } : {}),
    site: site.id,
    severity,
  };
}

function annotations(alert: AlertState, site: Site): Record<string, string> {
  return {
    summary: summaryOf(alert.condition),
    ...(alert.reason ? { description: alert.reason } : {}),
    ...(site.name ? { site_name: site.name } : {}),
  };
}

export function firingAlert(alert: AlertState, site: Site, nowMs: number, repostIntervalMs: number): PostableAlert {
  return {
    labels: labels(alert, site),
    annotations: annotations(alert, site),
    startsAt: alert.startedAt,
    endsAt: new Date(nowMs + validityFactor * repostIntervalMs).toISOString(),
  };
}

/**
 * The body for one outbox notification. The firing ones get their endsAt from the send time,
 * not from when they were queued: a notification that waited out a long outage must not
 * arrive already expired. A severity change ends the alert under its old labels and starts
 * it under the new ones, since labels are its identity.
 */
export function alertmanagerBody(payload: NotificationPayload, nowMs: number, repostIntervalMs: number): PostableAlert[] {
  const { alert, site } = payload;
  switch (payload.kind) {
    case 'resolved':
      return [{ labels: labels(alert, site), annotations: annotations(alert, site), startsAt: alert.startedAt, endsAt: alert.resolvedAt ?? payload.at }];
    case 'severity':
      return [
        { labels: labels(alert, site, payload.previousSeverity ?? alert.severity), annotations: annotations(alert, site), startsAt: alert.startedAt, endsAt: payload.at },
        firingAlert(alert, site, nowMs, repostIntervalMs),
      ];
    default:
      return [firingAlert(alert, site, nowMs, repostIntervalMs)];
  }
}

export function alertmanagerNotifier(config: AlertmanagerConfig, site: Site, now: () => number): Notifier {
  const endpoint = `${config.url.replace(/\/+$/, '')}/api/v2/alerts`;
  return {
    name: `alertmanager:${safeUrl(config.url)}`,
    where: safeUrl(endpoint),
    // Alertmanager always needs the resolve: it is how an alert ends before its endsAt.
    wants: () => true,
    send(row: OutboxRow, signal: AbortSignal) {
      const body = alertmanagerBody(row.payload, now(), config.repostIntervalMs);
      return postJson(endpoint, JSON.stringify(body), {}, config.timeoutMs, signal);
    },
    repost: {
      intervalMs: config.repostIntervalMs,
      send(firing: AlertState[], signal: AbortSignal) {
        const body = firing.map((a) => firingAlert(a, site, now(), config.repostIntervalMs));
        return postJson(endpoint, JSON.stringify(body), {}, config.timeoutMs, signal);
      },
    },
  };
}
