/**
 * ICMP layer: echo loss and RTT to the acquirer's address. When ping cannot send (no binary, ICMP
 * not permitted for this user) it measures TCP connect RTT to the target port instead and says
 * so in `method` and `fallbackReason`. "ran, nobody answered" is not a fallback case: it is
 * reported as ICMP with 100 % loss (many acquirers drop ICMP; the verdict knows that).
 */
import { describeError } from './errors.js';
import { withDeadline } from './deadline.js';
import { pingCommand, type PingOutcome } from './ping.js';
import { summarizeRtts } from './rtt-window.js';
import { tcpConnect } from './tcp.js';
import type { IcmpResult, LayerProbe, ProbeOptions, TargetContext } from './types.js';

/** Budget of the ICMP layer: the echoes take longer than one connect. */
export function icmpBudgetMs(options: ProbeOptions, platform: NodeJS.Platform): number {
  const expected = pingCommand(platform, {
    address: '127.0.0.1',
    count: options.icmpCount,
    intervalMs: options.icmpIntervalMs,
    waitMs: options.timeoutMs,
  }).expectedMs;
  return expected + 2_000;
}

async function tcpRtt(ctx: TargetContext, address: string, signal: AbortSignal): Promise<{ sent: number; received: number; rttsMs: number[] }> {
  const rttsMs: number[] = [];
  const { icmpCount, timeoutMs } = ctx.options;
  let sent = 0;
  for (; sent < icmpCount && !signal.aborted; sent++) {
    const attempt = await withDeadline(timeoutMs, signal, (s) => tcpConnect(address, ctx.target.port, s, ctx.deps.monotonic)).catch(() => null);
    if (attempt?.answered) rttsMs.push(Math.round(attempt.ms * 1000) / 1000);
  }
  return { sent, received: rttsMs.length, rttsMs };
}

export const probeIcmp: LayerProbe<TargetContext, IcmpResult> = async (ctx) => {
  const { deps, options } = ctx;
  const address = ctx.address ?? ctx.target.host;
  const started = deps.monotonic();
  const elapsed = (): number => Math.round((deps.monotonic() - started) * 1000) / 1000;
  try {
    return await withDeadline(icmpBudgetMs(options, deps.platform), ctx.signal, async (signal) => {
      const request = { address, count: options.icmpCount, intervalMs: options.icmpIntervalMs, waitMs: options.timeoutMs };
      const echo: PingOutcome = await deps.ping(request, signal);
      if (echo.kind === 'ran') {
        const round = summarizeRtts(echo.sent, echo.received, echo.rttsMs);
        const ok = echo.received > 0;
        const reason = ok ? null : `no echo reply from ${address} (ICMP may be filtered)`;
        return { layer: 'icmp', method: 'icmp', ok, durationMs: elapsed(), code: ok ? null : 'NO_REPLY', reason, address, fallbackReason: null, ...round };
      }
      const fallbackReason = echo.reason;
      const tcp = await tcpRtt(ctx, address, signal);
      const round = summarizeRtts(tcp.sent, tcp.received, tcp.rttsMs);
      const ok = tcp.received > 0;
      return {
        layer: 'icmp',
        method: 'tcp',
        ok,
        durationMs: elapsed(),
        code: ok ? null : 'NO_REPLY',
        reason: ok ? `ICMP unavailable (${fallbackReason}); measured TCP connect RTT` : `no TCP answer from ${address}:${ctx.target.port}`,
        address,
        fallbackReason,
        ...round,
      };
    });
  } catch (error) {
    const { code, reason } = describeError(error, `ICMP to ${address}`);
    return { layer: 'icmp', method: 'icmp', ok: false, durationMs: elapsed(), code, reason, address, fallbackReason: null, ...summarizeRtts(0, 0, []) };
  }
};
