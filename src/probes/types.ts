/**
 * Types shared by the probe layers, the verdict and the runners. Plain data and interfaces only.
 *
 * Every layer is a function of one shape (`LayerProbe`): it gets a context with an AbortSignal
 * that fires at the layer's deadline and returns a result object (never a bool, never a throw for
 * a network failure). The result always says which `method` produced it, the way blackbox's
 * `probe_ip_protocol` reports a fallback instead of hiding it.
 */
import type { HostResolver } from './dns.js';
import type { PingOutcome, PingRequest } from './ping.js';
import type { DefaultRoute } from './route.js';
import type { InterfaceInfo } from './link.js';
import type { RttStats, RttWindows } from './rtt-window.js';

/** Network layers in the order the verdict reads them. */
export const NETWORK_LAYERS = ['link', 'gateway', 'dns', 'icmp', 'tcp', 'tls', 'http'] as const;
export type NetworkLayer = (typeof NETWORK_LAYERS)[number];
export type HostLayer = 'disk' | 'memory' | 'clock' | 'cpu';
export type Layer = NetworkLayer | HostLayer;

export type ProbeMethod =
  | 'sysfs' // Linux /sys/class/net operstate
  | 'os' // os.networkInterfaces() only
  | 'route' // routing table only (no gateway address to probe)
  | 'icmp'
  | 'tcp' // TCP connect (or connect RTT as ICMP fallback)
  | 'literal' // host is an IP address, nothing to resolve
  | 'system-resolver' // getaddrinfo, as the till's own software resolves
  | 'dns-server' // c-ares against configured servers
  | 'tls'
  | 'http'
  | 'https'
  | 'statfs'
  | 'systeminformation'
  | 'meminfo' // Linux /proc/meminfo
  | 'clock'
  | 'os.cpus'
  | 'none';

export interface LayerResultBase<L extends Layer> {
  layer: L;
  ok: boolean;
  method: ProbeMethod;
  durationMs: number;
  /** Why it failed, in words for a person; a note when ok. */
  reason: string | null;
  /** Machine-readable cause: ECONNREFUSED, ETIMEDOUT, ENOTFOUND, CERT_HAS_EXPIRED, NO_DEFAULT_ROUTE… */
  code: string | null;
}

export interface LinkResult extends LayerResultBase<'link'> {
  /** Non-loopback interfaces that are up and have an address. */
  active: string[];
  /** The interface of the default route, when there is one. */
  routeInterface: string | null;
}

export interface GatewayResult extends LayerResultBase<'gateway'> {
  gateway: string | null;
  interface: string | null;
  rttMs: number | null;
}

export interface DnsResult extends LayerResultBase<'dns'> {
  host: string;
  addresses: string[];
  /** The address the later layers use: the first the resolver returned. */
  address: string | null;
}

export interface RttRound {
  sent: number;
  received: number;
  lossPercent: number;
  rttsMs: number[];
  minMs: number | null;
  avgMs: number | null;
  maxMs: number | null;
  jitterMs: number | null;
}

export interface IcmpResult extends LayerResultBase<'icmp'>, RttRound {
  address: string;
  /** Set when ICMP could not be used (no ping binary, not permitted) and TCP RTT was measured. */
  fallbackReason: string | null;
}

export interface TcpResult extends LayerResultBase<'tcp'> {
  address: string;
  port: number;
  connectMs: number | null;
}

export type TlsProblem =
  | 'handshake_failed'
  | 'expired'
  | 'not_yet_valid'
  | 'self_signed'
  | 'untrusted_chain'
  | 'hostname_mismatch'
  | 'ca_unreadable';

export type TlsTrust = 'ca-file' | 'system' | 'bundled';

export interface TlsResult extends LayerResultBase<'tls'> {
  protocol: string | null;
  trust: TlsTrust;
  chainValid: boolean | null;
  hostnameMatch: boolean | null;
  subject: string | null;
  issuer: string | null;
  validFrom: string | null;
  validTo: string | null;
  /** Fractional days until notAfter (negative once expired). */
  daysToExpiry: number | null;
  handshakeMs: number | null;
  problem: TlsProblem | null;
}

export interface HttpResult extends LayerResultBase<'http'> {
  url: string;
  status: number | null;
  expectStatus: number;
  /** Local clock minus the server's Date header (1 s resolution); positive = we are ahead. */
  dateSkewMs: number | null;
}

export type TargetLayerResult = DnsResult | IcmpResult | TcpResult | TlsResult | HttpResult;
export type PathLayerResult = LinkResult | GatewayResult;

/** One acquirer endpoint, as the config module hands it over. */
export interface ProbeTarget {
  name: string;
  host: string;
  port: number;
  tls: boolean;
  icmp: boolean;
  http?: { path: string; expectStatus: number };
  /** PEM file of the CA to trust instead of the system store. */
  ca?: string;
}

export interface ProbeOptions {
  /** Deadline of each layer, in ms. */
  timeoutMs: number;
  tlsExpiryWarningDays: number;
  /** Loss over the rolling window at or above which the path is degraded. */
  lossThresholdPercent: number;
  /** Average RTT over the rolling window at or above which the path is degraded. */
  latencyThresholdMs: number;
  /** Echo requests per round. */
  icmpCount: number;
  icmpIntervalMs: number;
  /** Loss is judged only once the window holds this many probes. */
  minLossSamples: number;
  /** Age of the oldest round kept in the rolling window, in ms. */
  windowMs: number;
  /** Largest tolerated difference to a server's Date header, in ms. */
  maxClockSkewMs: number;
  /** Port tried on the gateway when it does not answer ICMP; a refusal counts as an answer. */
  gatewayTcpPort: number;
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Everything a probe touches outside itself; `createProbeDeps()` gives the real ones. */
export interface ProbeDeps {
  /** Wall clock in ms since the epoch (certificate expiry, window ages). */
  now(): number;
  /** Monotonic clock in ms (durations). */
  monotonic(): number;
  platform: NodeJS.Platform;
  resolver: HostResolver;
  ping(request: PingRequest, signal: AbortSignal): Promise<PingOutcome>;
  defaultRoute(): Promise<DefaultRoute | null>;
  interfaces(): Promise<InterfaceInfo[]>;
  /** PEM bundle of the operating system's trust store, or null to use Node's bundled roots. */
  systemCa(): Promise<string | null>;
  /** Rolling RTT windows per target; keep one instance for the agent's life. */
  windows: RttWindows;
}

export interface PathContext {
  options: ProbeOptions;
  deps: ProbeDeps;
  /** Fires at the layer's deadline or when the round is cancelled. */
  signal: AbortSignal;
}

export interface TargetContext extends PathContext {
  target: ProbeTarget;
  /** The address the DNS layer chose; null before DNS (layers then use `target.host`). */
  address: string | null;
}

/** The one signature of every layer. Path layers ignore the target fields. */
export type LayerProbe<C extends PathContext, R extends LayerResultBase<Layer>> = (ctx: C) => Promise<R>;

export type NetworkConditionId =
  | 'network.link_down'
  | 'network.gateway_unreachable'
  | 'network.dns_failure'
  | 'network.acquirer_unreachable'
  | 'network.degraded'
  | 'network.tls_problem';

export type VerdictStatus = 'ok' | 'degraded' | 'down';

export interface Finding {
  condition: NetworkConditionId;
  layer: NetworkLayer;
  /** Target name, or null for a path-wide layer (link, gateway). */
  target: string | null;
  severity: 'down' | 'degraded';
  reason: string;
}

export interface PathVerdict {
  status: VerdictStatus;
  /** The first failing layer in path order (ICMP never counts), or null. */
  failedLayer: NetworkLayer | null;
  /** Unique condition ids of the findings, in path order. */
  conditions: NetworkConditionId[];
  findings: Finding[];
  /** The first finding's reason, or null when all is well. */
  reason: string | null;
}

export interface SkippedLayer {
  layer: NetworkLayer;
  /** The failed layer that made this one pointless. */
  because: NetworkLayer;
}

export interface TargetResult {
  target: string;
  host: string;
  port: number;
  startedAt: string;
  durationMs: number;
  /** Layers that ran, in path order. */
  layers: TargetLayerResult[];
  skipped: SkippedLayer[];
  /** Rolling loss/latency/jitter over the window, including this round. */
  window: RttStats | null;
  verdict: PathVerdict;
}

export interface NetworkPathResult {
  startedAt: string;
  durationMs: number;
  link: LinkResult;
  gateway: GatewayResult;
  targets: TargetResult[];
  verdict: PathVerdict;
}
