/**
 * Runs the layers. `probeTarget` checks one acquirer endpoint: DNS, then ICMP alongside the
 * TCP → TLS → HTTP chain (a failed ICMP never stops the chain; a failed TCP/TLS skips what
 * depends on it). `probeNetworkPath` adds link and gateway, once per round, and runs every target
 * in parallel with them.
 */
import { createProbeDeps } from './deps.js';
import { probeDns } from './dns.js';
import { probeGateway } from './gateway.js';
import { probeHttp } from './http.js';
import { probeIcmp } from './icmp.js';
import { probeLink } from './link.js';
import { resolveProbeOptions } from './options.js';
import type { RttSample } from './rtt-window.js';
import { probeTcp } from './tcp.js';
import { probeTls } from './tls.js';
import type {
  GatewayResult,
  NetworkLayer,
  NetworkPathResult,
  ProbeDeps,
  ProbeOptions,
  ProbeTarget,
  SkippedLayer,
  TargetContext,
  TargetLayerResult,
  TargetResult,
} from './types.js';
import { assertProbeHost } from './validate-host.js';
import { overallVerdict, reachedTcp, targetVerdict, type PathEvidence } from './verdict.js';

type Measured = Omit<TargetResult, 'verdict'>;

/** Configured layers after `layer`, in path order. */
function layersAfter(target: ProbeTarget, layer: NetworkLayer): NetworkLayer[] {
  const configured: NetworkLayer[] = ['dns'];
  if (target.icmp) configured.push('icmp');
  configured.push('tcp');
  if (target.tls) configured.push('tls');
  if (target.http) configured.push('http');
  const rest = configured.slice(configured.indexOf(layer) + 1);
  // ICMP runs beside the chain: a failed TCP/TLS does not skip it.
  return layer === 'dns' ? rest : rest.filter((l) => l !== 'icmp');
}

async function connectChain(ctx: TargetContext): Promise<{ layers: TargetLayerResult[]; skipped: SkippedLayer[] }> {
  const { target } = ctx;
  const layers: TargetLayerResult[] = [];
  const stopAt = (layer: NetworkLayer) => ({ layers, skipped: layersAfter(target, layer).map((l) => ({ layer: l, because: layer })) });
  const tcp = await probeTcp(ctx);
  layers.push(tcp);
  if (!tcp.ok) return stopAt('tcp');
  if (target.tls) {
    const tls = await probeTls(ctx);
    layers.push(tls);
    if (!tls.ok) return stopAt('tls');
  }
  if (target.http) layers.push(await probeHttp(ctx));
  return { layers, skipped: [] };
}

/** This round's RTT sample: the ICMP layer's, else the TCP connect. */
function rttSample(layers: readonly TargetLayerResult[], at: number): RttSample | null {
  for (const l of layers) {
    if (l.layer === 'icmp') return { at, method: l.method === 'icmp' ? 'icmp' : 'tcp', sent: l.sent, received: l.received, rttsMs: l.rttsMs };
  }
  for (const l of layers) {
    if (l.layer === 'tcp') return { at, method: 'tcp', sent: 1, received: l.ok ? 1 : 0, rttsMs: l.connectMs === null ? [] : [l.connectMs] };
  }
  return null;
}

async function measureTarget(target: ProbeTarget, options: ProbeOptions, deps: ProbeDeps, signal: AbortSignal): Promise<Measured> {
  const startedAt = new Date(deps.now()).toISOString();
  const t0 = deps.monotonic();
  const ctx: TargetContext = { target, options, deps, signal, address: null };
  const dns = await probeDns(ctx);
  const layers: TargetLayerResult[] = [dns];
  let skipped: SkippedLayer[] = [];
  if (!dns.ok) {
    skipped = layersAfter(target, 'dns').map((layer) => ({ layer, because: 'dns' }));
  } else {
    const next = { ...ctx, address: dns.address };
    const [icmp, chain] = await Promise.all([target.icmp ? probeIcmp(next) : null, connectChain(next)]);
    if (icmp !== null) layers.push(icmp);
    layers.push(...chain.layers);
    skipped = chain.skipped;
  }
  const window = deps.windows.get(target.name);
  const sample = rttSample(layers, deps.now());
  if (sample !== null) window.add(sample);
  return {
    target: target.name,
    host: target.host,
    port: target.port,
    startedAt,
    durationMs: Math.round((deps.monotonic() - t0) * 1000) / 1000,
    layers,
    skipped,
    window: window.stats(deps.now(), options.windowMs),
  };
}

function checkTargets(targets: readonly ProbeTarget[]): void {
  const names = new Set<string>();
  for (const t of targets) {
    assertProbeHost(t.host);
    if (names.has(t.name)) throw new TypeError(`duplicate probe target name ${JSON.stringify(t.name)}`);
    names.add(t.name);
  }
}

/**
 * One round for one target, without link and gateway. Rejects (before any I/O) with
 * InvalidProbeHostError for a host validateProbeHost refuses; every network failure is a result.
 */
export async function probeTarget(
  target: ProbeTarget,
  options: Partial<ProbeOptions> = {},
  deps: Partial<ProbeDeps> = {},
  signal: AbortSignal = new AbortController().signal,
): Promise<TargetResult> {
  checkTargets([target]);
  const resolved = resolveProbeOptions(options);
  const full = createProbeDeps(deps);
  const measured = await measureTarget(target, resolved, full, signal);
  return { ...measured, verdict: targetVerdict({ target: target.name, layers: measured.layers, window: measured.window }, resolved) };
}

export interface PathScope {
  /**
   * Probe the default gateway. Off when the config says so, and when every target is on this
   * machine: a gateway check then proves nothing and would only send traffic off the machine.
   */
  checkGateway?: boolean;
}

/** One round of the whole path: link and gateway once, every target in parallel. */
export async function probeNetworkPath(
  targets: readonly ProbeTarget[],
  options: Partial<ProbeOptions> = {},
  deps: Partial<ProbeDeps> = {},
  signal: AbortSignal = new AbortController().signal,
  { checkGateway = true }: PathScope = {},
): Promise<NetworkPathResult> {
  checkTargets(targets);
  const resolved = resolveProbeOptions(options);
  const full = createProbeDeps(deps);
  const startedAt = new Date(full.now()).toISOString();
  const t0 = full.monotonic();
  // Link and gateway both need the default route: read it once per round.
  let route: ReturnType<ProbeDeps['defaultRoute']> | undefined;
  const pathDeps: ProbeDeps = { ...full, defaultRoute: () => (route ??= full.defaultRoute()) };
  const pathCtx = { options: resolved, deps: pathDeps, signal };
  const [link, gateway, measured] = await Promise.all([
    probeLink(pathCtx),
    checkGateway ? probeGateway(pathCtx) : Promise.resolve(gatewayNotChecked()),
    Promise.all(targets.map((t) => measureTarget(t, resolved, full, signal))),
  ]);
  const path: PathEvidence = { link, gateway, proven: measured.some((m) => reachedTcp(m.layers)) };
  const results = measured.map((m) => ({ ...m, verdict: targetVerdict({ target: m.target, layers: m.layers, window: m.window, path }, resolved) }));
  return {
    startedAt,
    durationMs: Math.round((full.monotonic() - t0) * 1000) / 1000,
    link,
    gateway,
    targets: results,
    verdict: overallVerdict(path, results),
  };
}

function gatewayNotChecked(): GatewayResult {
  return {
    layer: 'gateway',
    ok: true,
    method: 'none',
    durationMs: 0,
    reason: 'not checked',
    code: 'NOT_CHECKED',
    gateway: null,
    interface: null,
    rttMs: null,
  };
}
