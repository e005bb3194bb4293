import type { HistorySnapshot } from '../history/recorder.js';
import type { StatusDocument } from '../http/status-document.js';
import { redactSecrets, scrubStrings } from './redact.js';

/**
 * The support bundle: everything a service provider asks for on the phone, in one JSON file.
 * The same content whether the status page's button, `GET /api/v1/bundle` or `posdiag bundle`
 * made it. Pure: the caller gathers the parts.
 */
export interface SupportBundle {
  kind: 'posdiag-support-bundle';
  formatVersion: 1;
  generatedAt: string;
  /** `agent`: taken from the running agent; `config`: built by the CLI when no agent answered. */
  source: 'agent' | 'config';
  agent: AgentFacts;
  /** The configuration with every secret replaced by `[redacted]`. */
  config: unknown;
  devices: Array<{
    id: string;
    name: string;
    driver: string;
    simulated: boolean;
    transport: string;
    manufacturer: string | null;
    model: string | null;
    serial: string | null;
    firmware: string | null;
    connected: boolean;
    conditions: string[];
  }>;
  /** The status document at the time of the bundle; null when no agent ran and no check was made. */
  status: StatusDocument | null;
  /** Alerts firing now, and every condition raised or cleared in the last 24 h. */
  alerts: {
    firing: StatusDocument['alerts'];
    last24h: HistorySnapshot['events'];
  };
  /** State changes and latency per device and for the network path over the last 24 h. */
  history: HistorySnapshot | null;
  /** The latest network path round (every layer with its evidence) and host checks. */
  network: { path: StatusDocument['network'] | null; host: StatusDocument['host'] | null };
  /** The agent's most recent log lines (JSON lines parsed; others as text). */
  logs: unknown[];
  notes: string[];
}

export interface AgentFacts {
  version: string;
  node: string;
  platform: string;
  arch: string;
  hostname: string;
  pid: number | null;
  startedAt: string | null;
  uptimeSeconds: number | null;
}

export interface BundleParts {
  now: Date;
  source: SupportBundle['source'];
  agent: AgentFacts;
  config: unknown;
  status: StatusDocument | null;
  history: HistorySnapshot | null;
  logLines: readonly string[];
  notes?: string[];
}

export function buildBundle(parts: BundleParts): SupportBundle {
  const { value: config, secrets } = redactSecrets(parts.config);
  const status = parts.status;
  const bundle: SupportBundle = {
    kind: 'posdiag-support-bundle',
    formatVersion: 1,
    generatedAt: parts.now.toISOString(),
    source: parts.source,
    agent: parts.agent,
    config,
    devices: (status?.devices ?? []).map((d) => ({
      id: d.id,
      name: d.name,
      driver: d.driver,
      simulated: d.simulated,
      transport: d.transport,
      manufacturer: d.manufacturer,
      model: d.model,
      serial: d.serial,
      firmware: d.firmware,
      connected: d.connected,
      conditions: d.conditions,
    })),
    status,
    alerts: { firing: (status?.alerts ?? []).filter((a) => a.state === 'firing'), last24h: parts.history?.events ?? [] },
    history: parts.history,
    network: { path: status?.network ?? null, host: status?.host ?? null },
    logs: parts.logLines.map(parseLine),
    notes: parts.notes ?? [],
  };
  // A secret can also sit in a log line or an error text (a URL echoed back): scrub everywhere.
  return scrubStrings(redactSecrets(bundle).value, secrets);
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return line;
  }
}

/** `posdiag-bundle-20261201-091500.json`: sorts by time, no characters a file system refuses. */
export function bundleFileName(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `posdiag-bundle-${stamp}.json`;
}
