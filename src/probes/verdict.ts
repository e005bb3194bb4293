/**
 * The verdict: pure functions from layer results to a status and condition ids, per target and
 * overall, so the page can say "your internet is down" rather than "the acquirer is down".
 *
 * Rules:
 * - The first failing layer in path order (link → gateway → dns → tcp → tls → http) is the cause;
 *   later layers are consequences. ICMP is never a cause: many acquirers drop ICMP.
 * - A link or gateway failure is ignored when some target completed a TCP connect in the same
 *   round: the path demonstrably works, the probe of it did not (a router that drops ICMP and
 *   stays silent on the TCP port tried).
 * - Degraded, only when nothing failed: loss over the rolling window at or above the threshold
 *   (judged once the window holds `minLossSamples` probes, and only if the host answered at
 *   least once, so an ICMP-filtering acquirer is not "100 % loss"); average RTT at or above the
 *   threshold (the window's, else this round's TCP connect time); a certificate expiring within
 *   `tlsExpiryWarningDays`; a clock that differs from the server's Date header by more than
 *   `maxClockSkewMs` (TLS breaks on a wrong clock).
 */
import type { RttStats } from './rtt-window.js';
import {
  NETWORK_LAYERS,
  type Finding,
  type GatewayResult,
  type IcmpResult,
  type LinkResult,
  type NetworkConditionId,
  type NetworkLayer,
  type PathVerdict,
  type ProbeOptions,
  type TargetLayerResult,
} from './types.js';

export type VerdictOptions = Pick<
  ProbeOptions,
  'lossThresholdPercent' | 'latencyThresholdMs' | 'tlsExpiryWarningDays' | 'minLossSamples' | 'maxClockSkewMs'
>;

const CAUSE: Record<Exclude<NetworkLayer, 'icmp'>, NetworkConditionId> = {
  link: 'network.link_down',
  gateway: 'network.gateway_unreachable',
  dns: 'network.dns_failure',
  tcp: 'network.acquirer_unreachable',
  tls: 'network.tls_problem',
  http: 'network.acquirer_unreachable',
};

export interface PathEvidence {
  link: LinkResult;
  gateway: GatewayResult;
  /** Some target completed a TCP connect this round. */
  proven: boolean;
}

const order = (layer: NetworkLayer): number => NETWORK_LAYERS.indexOf(layer);

/** True when a target's TCP connect succeeded. */
export function reachedTcp(layers: readonly TargetLayerResult[]): boolean {
  return layers.some((l) => l.layer === 'tcp' && l.ok);
}

export function pathFindings(path: PathEvidence): Finding[] {
  if (path.proven) return [];
  for (const layer of [path.link, path.gateway]) {
    if (!layer.ok) {
      return [{ condition: CAUSE[layer.layer], layer: layer.layer, target: null, severity: 'down', reason: layer.reason ?? `${layer.layer} failed` }];
    }
  }
  return [];
}

/** Builds a verdict from findings; the status is the worst severity. */
export function verdictOf(findings: Finding[]): PathVerdict {
  const sorted = [...findings].sort((a, b) => order(a.layer) - order(b.layer));
  const down = sorted.filter((f) => f.severity === 'down');
  return {
    status: down.length > 0 ? 'down' : sorted.length > 0 ? 'degraded' : 'ok',
    failedLayer: down[0]?.layer ?? null,
    conditions: [...new Set(sorted.map((f) => f.condition))],
    findings: sorted,
    reason: (down[0] ?? sorted[0])?.reason ?? null,
  };
}

function softFindings(target: string, layers: readonly TargetLayerResult[], window: RttStats | null, o: VerdictOptions): Finding[] {
  const found: Finding[] = [];
  const rttLayer: NetworkLayer = layers.some((l) => l.layer === 'icmp') ? 'icmp' : 'tcp';
  const degraded = (condition: NetworkConditionId, layer: NetworkLayer, reason: string): void => {
    found.push({ condition, layer, target, severity: 'degraded', reason });
  };
  if (window !== null && window.received > 0 && window.sent >= o.minLossSamples && window.lossPercent >= o.lossThresholdPercent) {
    const unit = window.method === 'icmp' ? 'echo requests' : 'TCP connects';
    degraded('network.degraded', rttLayer, `${window.lossPercent}% loss over the last ${window.sent} ${unit} (threshold ${o.lossThresholdPercent}%)`);
  }
  const tcp = layers.find((l) => l.layer === 'tcp');
  const latency = window?.avgMs ?? (tcp?.layer === 'tcp' ? tcp.connectMs : null);
  if (latency !== null && latency >= o.latencyThresholdMs) {
    degraded('network.degraded', rttLayer, `average round trip ${latency} ms (threshold ${o.latencyThresholdMs} ms)`);
  }
  for (const layer of layers) {
    if (layer.layer === 'tls' && layer.ok && layer.daysToExpiry !== null && layer.daysToExpiry < o.tlsExpiryWarningDays) {
      degraded('network.tls_problem', 'tls', `certificate expires in ${layer.daysToExpiry.toFixed(1)} days (${layer.validTo ?? '?'})`);
    }
    if (layer.layer === 'http' && layer.dateSkewMs !== null && Math.abs(layer.dateSkewMs) > o.maxClockSkewMs) {
      const seconds = Math.round(layer.dateSkewMs / 1000);
      degraded('network.tls_problem', 'http', `this computer's clock is ${Math.abs(seconds)} s ${seconds > 0 ? 'ahead of' : 'behind'} the server's`);
    }
  }
  return found;
}

export interface TargetVerdictInput {
  target: string;
  layers: readonly TargetLayerResult[];
  window: RttStats | null;
  path?: PathEvidence;
}

export function targetVerdict(input: TargetVerdictInput, options: VerdictOptions): PathVerdict {
  const findings = input.path === undefined ? [] : pathFindings(input.path);
  if (findings.length === 0) {
    // ICMP is never the cause (see the rules above).
    const failed = input.layers.find((l): l is Exclude<TargetLayerResult, IcmpResult> => l.layer !== 'icmp' && !l.ok);
    if (failed !== undefined) {
      findings.push({
        condition: CAUSE[failed.layer],
        layer: failed.layer,
        target: input.target,
        severity: 'down',
        reason: `${input.target}: ${failed.reason ?? `${failed.layer} failed`}`,
      });
    } else {
      findings.push(...softFindings(input.target, input.layers, input.window, options));
    }
  }
  return verdictOf(findings);
}

/** Overall: the path's own failure, else down when every target is down, else the worst of them. */
export function overallVerdict(path: PathEvidence, targets: readonly { verdict: PathVerdict }[]): PathVerdict {
  const shared = pathFindings(path);
  if (shared.length > 0) return verdictOf(shared);
  const findings = targets.flatMap((t) => t.verdict.findings);
  const verdict = verdictOf(findings);
  const allDown = targets.length > 0 && targets.every((t) => t.verdict.status === 'down');
  if (verdict.status === 'down' && !allDown) return { ...verdict, status: 'degraded' };
  return verdict;
}
