/**
 * Gateway layer: does the next hop of the default route answer? ICMP echo first (routers answer
 * it on the LAN side); if ping is unavailable or gets no reply, a TCP connect to
 * `gatewayTcpPort`, where a refusal (RST) proves the router is there as well as a connect does.
 */
import { withDeadline } from './deadline.js';
import { describeError } from './errors.js';
import { tcpConnect, type ConnectOutcome } from './tcp.js';
import { pingCommand, type PingOutcome } from './ping.js';
import type { GatewayResult, LayerProbe, PathContext, ProbeMethod } from './types.js';

const GATEWAY_ECHOES = 2;

export const probeGateway: LayerProbe<PathContext, GatewayResult> = async (ctx) => {
  const { deps, options } = ctx;
  const started = deps.monotonic();
  const elapsed = (): number => Math.round((deps.monotonic() - started) * 1000) / 1000;
  let gateway: string | null = null;
  let iface: string | null = null;
  const result = (
    ok: boolean,
    method: ProbeMethod,
    code: string | null,
    reason: string | null,
    rttMs: number | null = null,
  ): GatewayResult => ({ layer: 'gateway', ok, method, durationMs: elapsed(), code, reason, gateway, interface: iface, rttMs });

  // Two methods in a row, each with its own budget, so a failure names both rather than a timeout.
  const waitMs = Math.min(1_000, options.timeoutMs);
  const pingMs = pingCommand(deps.platform, { address: '0.0.0.0', count: GATEWAY_ECHOES, intervalMs: options.icmpIntervalMs, waitMs }).expectedMs;
  try {
    return await withDeadline(pingMs + options.timeoutMs + 1_000, ctx.signal, async (signal) => {
      const route = await deps.defaultRoute();
      if (route === null) return result(false, 'route', 'NO_DEFAULT_ROUTE', 'no default route: this computer has no way to the internet');
      iface = route.interface;
      if (route.gateway === null) {
        return result(true, 'route', null, `on-link default route via ${iface ?? 'an interface'}: no gateway to probe`);
      }
      const gw = route.gateway;
      gateway = gw;
      const echo: PingOutcome = await deps
        .ping({ address: gw, count: GATEWAY_ECHOES, intervalMs: options.icmpIntervalMs, waitMs }, signal)
        .catch((error: unknown) => ({ kind: 'unavailable', ...describeError(error, 'ping') }));
      if (echo.kind === 'ran' && echo.received > 0) {
        return result(true, 'icmp', null, null, echo.rttsMs.length > 0 ? Math.min(...echo.rttsMs) : null);
      }
      const icmpNote = echo.kind === 'ran' ? 'no ICMP echo reply' : `ICMP unavailable (${echo.reason})`;
      const tcpStarted = deps.monotonic();
      const tcp: ConnectOutcome = await withDeadline(options.timeoutMs, signal, (s) =>
        tcpConnect(gw, options.gatewayTcpPort, s, deps.monotonic),
      ).catch((error: unknown) => ({ connected: false, answered: false, ms: deps.monotonic() - tcpStarted, error }));
      if (tcp.connected || tcp.answered) {
        return result(true, 'tcp', null, `${icmpNote}; answered on TCP port ${options.gatewayTcpPort}`, Math.round(tcp.ms * 1000) / 1000);
      }
      const failure = describeError(tcp.error, `TCP port ${options.gatewayTcpPort}`);
      return result(false, 'tcp', failure.code, `gateway ${gw} does not answer: ${icmpNote}; ${failure.reason}`);
    });
  } catch (error) {
    const { code, reason } = describeError(error, `gateway ${gateway ?? '(unknown)'}`);
    return result(false, gateway === null ? 'route' : 'icmp', code, reason);
  }
};
