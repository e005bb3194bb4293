import type { HostState, NetworkState } from '../health/path-health.js';
import type { TargetLayerResult, TargetResult } from '../probes/index.js';

/** `network` in /api/v1/status: one verdict for the path, one per target, with the evidence. */
export interface NetworkView {
  /** `unknown` before the first round, and when no target is configured. */
  verdict: 'ok' | 'degraded' | 'down' | 'unknown';
  /** The first failing layer: link, gateway, dns, tcp, tls or http (ICMP never counts). */
  failedLayer: string | null;
  reason: string | null;
  checkedAt: string | null;
  link: { ok: boolean; active: string[]; reason: string | null } | null;
  gateway: { ok: boolean; checked: boolean; address: string | null; rttMs: number | null; reason: string | null } | null;
  targets: TargetView[];
  conditions: string[];
}

export interface TargetView {
  name: string;
  host: string;
  port: number;
  verdict: 'ok' | 'degraded' | 'down';
  failedLayer: string | null;
  reason: string | null;
  conditions: string[];
  /** Rolling window over the last minutes: what "degraded" is judged on. */
  latency: { method: string; lossPercent: number; avgMs: number | null; jitterMs: number | null; samples: number; rounds: number } | null;
  layers: Array<{ layer: string; ok: boolean; method: string; durationMs: number; reason: string | null; code: string | null; details: Record<string, unknown> }>;
}

export interface HostView {
  ok: boolean | null;
  checkedAt: string | null;
  checks: Array<{ check: string; ok: boolean; reason: string | null }>;
  conditions: string[];
}

export function networkView(state: NetworkState): NetworkView {
  const result = state.result;
  if (!result) {
    return { verdict: 'unknown', failedLayer: null, reason: null, checkedAt: null, link: null, gateway: null, targets: [], conditions: [] };
  }
  return {
    verdict: result.verdict.status,
    failedLayer: result.verdict.failedLayer,
    reason: result.verdict.reason,
    checkedAt: result.startedAt,
    link: { ok: result.link.ok, active: result.link.active, reason: result.link.reason },
    gateway: {
      ok: result.gateway.ok,
      checked: result.gateway.code !== 'NOT_CHECKED',
      address: result.gateway.gateway,
      rttMs: result.gateway.rttMs,
      reason: result.gateway.reason,
    },
    targets: result.targets.map(targetView),
    conditions: [...new Set(state.conditions.map((c) => c.id))],
  };
}

function targetView(target: TargetResult): TargetView {
  return {
    name: target.target,
    host: target.host,
    port: target.port,
    verdict: target.verdict.status,
    failedLayer: target.verdict.failedLayer,
    reason: target.verdict.reason,
    conditions: target.verdict.conditions,
    latency: target.window
      ? {
          method: target.window.method,
          lossPercent: target.window.lossPercent,
          avgMs: target.window.avgMs,
          jitterMs: target.window.jitterMs,
          samples: target.window.sent,
          rounds: target.window.rounds,
        }
      : null,
    layers: target.layers.map(layerView),
  };
}

/** The common fields, plus whatever the layer measured (connect time, days to expiry …). */
function layerView(layer: TargetLayerResult) {
  const { layer: name, ok, method, durationMs, reason, code, ...details } = layer;
  return { layer: name, ok, method, durationMs, reason, code, details };
}

export function hostView(state: HostState): HostView {
  const result = state.result;
  if (!result) return { ok: null, checkedAt: null, checks: [], conditions: [] };
  return {
    ok: result.ok,
    checkedAt: result.checkedAt,
    checks: result.checks.map((c) => ({ check: c.layer, ok: c.ok, reason: c.reason })),
    conditions: state.conditions.map((c) => c.id),
  };
}
