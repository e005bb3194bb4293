/**
 * What a heartbeat says, as pure functions of the agent's state: the Pushgateway's grouping path
 * and exposition text, and the webhook's JSON body. No I/O here.
 */
import type { Overall } from '../health/overall.js';
import type { StatusDocument } from '../http/status-document.js';

export interface AgentIdentity {
  /** The instance label: names this agent to the provider. */
  instance: string;
  site: string | null;
  version: string;
}

export interface Beat {
  /** When this heartbeat is sent (ms since the epoch). */
  nowMs: number;
  intervalMs: number;
  /** false only in the last heartbeat of an agent that stops on purpose. */
  running: boolean;
}

/** Characters a Pushgateway grouping value may carry as they are (unreserved URL characters). */
const PLAIN_VALUE = /^[A-Za-z0-9._~-]+$/;

/**
 * `/metrics/job/posdiag/instance/shop-1/site/berlin`. A value that is empty or has characters
 * outside the plain set goes as `name@base64/<base64url>`, the Pushgateway's own escape: a `/`
 * in a host name would otherwise split the path.
 */
export function groupingPath(job: string, identity: Pick<AgentIdentity, 'instance' | 'site'>): string {
  const pairs: Array<[string, string]> = [['job', job], ['instance', identity.instance]];
  if (identity.site !== null) pairs.push(['site', identity.site]);
  return (
    '/metrics' +
    pairs
      .map(([name, value]) =>
        PLAIN_VALUE.test(value) ? `/${name}/${value}` : `/${name}@base64/${Buffer.from(value, 'utf8').toString('base64url') || '='}`,
      )
      .join('')
  );
}

/**
 * The series only a heartbeat carries. With them a rule can tell a silent agent (the last
 * heartbeat is old and said "running") from one switched off on purpose (it said so).
 */
export function heartbeatSeries(beat: Beat): string {
  return [
    '# HELP posdiag_up 1 while the agent runs; 0 in the last heartbeat of an agent that was stopped on purpose.',
    '# TYPE posdiag_up gauge',
    `posdiag_up ${beat.running ? 1 : 0}`,
    '# HELP posdiag_heartbeat_timestamp_seconds Unix time at which the agent sent this heartbeat.',
    '# TYPE posdiag_heartbeat_timestamp_seconds gauge',
    `posdiag_heartbeat_timestamp_seconds ${beat.nowMs / 1000}`,
    '# HELP posdiag_heartbeat_interval_seconds Time between two heartbeats of this agent.',
    '# TYPE posdiag_heartbeat_interval_seconds gauge',
    `posdiag_heartbeat_interval_seconds ${beat.intervalMs / 1000}`,
    '',
  ].join('\n');
}

/**
 * The agent's own series that go along with a push, by name, as /metrics exports them (same
 * names, help and labels, so one dashboard reads scraped and pushed agents alike).
 */
export const PUSHED_AGENT_SERIES = [
  'posdiag_build_info',
  'posdiag_overall_state',
  'posdiag_device_up',
  'posdiag_alert_active',
  'posdiag_network_path_up',
  'probe_success',
  'probe_ssl_earliest_cert_expiry',
  'posdiag_process_resident_memory_bytes',
  'posdiag_process_cpu_seconds_total',
] as const;

export interface WebhookHeartbeat {
  kind: 'posdiag.heartbeat';
  instance: string;
  site: string | null;
  version: string;
  sentAt: string;
  intervalSeconds: number;
  running: boolean;
  overall: Overall;
  devices: Array<{ id: string; driver: string; connected: boolean; conditions: string[] }>;
  network: { verdict: string };
  alerts: Array<{ condition: string; device: string | null; target: string | null; severity: string; since: string }>;
}

/** The JSON a webhook receives: small, and enough to show a fleet list without a scrape. */
export function webhookBody(document: StatusDocument, identity: AgentIdentity, beat: Beat): WebhookHeartbeat {
  return {
    kind: 'posdiag.heartbeat',
    instance: identity.instance,
    site: identity.site,
    version: identity.version,
    sentAt: new Date(beat.nowMs).toISOString(),
    intervalSeconds: beat.intervalMs / 1000,
    running: beat.running,
    overall: document.overall,
    devices: document.devices.map((d) => ({ id: d.id, driver: d.driver, connected: d.connected, conditions: d.conditions })),
    network: { verdict: document.network.verdict },
    alerts: document.alerts.map((a) => ({ condition: a.condition, device: a.device, target: a.target, severity: a.severity, since: a.since })),
  };
}
