import { EventEmitter } from 'node:events';
import type { HostResult, NetworkPathResult } from '../probes/index.js';
import type { Severity } from './conditions.js';

/** A condition of the network path or the host, with what it is about. */
export interface SubjectCondition {
  id: string;
  /** The network target's name, `network` for the path as a whole, or `host`. */
  subject: string;
  severity: Severity;
  since: string;
  reason: string;
}

export interface NetworkState {
  /** The last complete round of checks, or null before the first one. */
  result: NetworkPathResult | null;
  conditions: SubjectCondition[];
}

export interface HostState {
  result: HostResult | null;
  conditions: SubjectCondition[];
}

/**
 * The health of everything that is not a device: the path to the acquirer and this PC.
 * Updated by the probe jobs, read by the API; emits `change` after each round. Time comes in as
 * an argument.
 */
export class PathHealth extends EventEmitter<{ change: [] }> {
  private networkState: NetworkState = { result: null, conditions: [] };
  private hostState: HostState = { result: null, conditions: [] };

  network(): NetworkState {
    return this.networkState;
  }

  host(): HostState {
    return this.hostState;
  }

  networkChecked(result: NetworkPathResult, now: Date): void {
    const current = result.verdict.findings.map((f) => ({
      id: f.condition,
      subject: f.target ?? 'network',
      // "down" stops payments; "degraded" (loss, latency, a certificate expiring soon) needs attention.
      severity: (f.severity === 'down' ? 'critical' : 'warning') as Severity,
      reason: f.reason,
    }));
    this.networkState = { result, conditions: keepSince(this.networkState.conditions, current, now) };
    this.emit('change');
  }

  hostChecked(result: HostResult, now: Date): void {
    const failed = result.checks.filter((c) => !c.ok);
    const current = failed.length
      ? [{ id: 'host.resources', subject: 'host', severity: 'warning' as Severity, reason: failed.map((c) => c.reason).filter(Boolean).join('; ') }]
      : [];
    this.hostState = { result, conditions: keepSince(this.hostState.conditions, current, now) };
    this.emit('change');
  }
}

function keepSince(
  previous: SubjectCondition[],
  current: Omit<SubjectCondition, 'since'>[],
  now: Date,
): SubjectCondition[] {
  const seen = new Set<string>();
  const result: SubjectCondition[] = [];
  for (const c of current) {
    const key = `${c.id}|${c.subject}`;
    if (seen.has(key)) continue; // one finding per condition and subject
    seen.add(key);
    const before = previous.find((p) => p.id === c.id && p.subject === c.subject);
    result.push({ ...c, since: before?.since ?? now.toISOString() });
  }
  return result;
}
