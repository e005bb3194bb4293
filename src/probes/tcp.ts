/**
 * TCP layer: time to a completed three-way handshake. Also the RTT primitive for the ICMP
 * fallback and the gateway check, where a refusal (RST) counts as an answer.
 */
import { Socket } from 'node:net';
import { describeError } from './errors.js';
import { withDeadline } from './deadline.js';
import type { LayerProbe, TargetContext, TcpResult } from './types.js';

export type ConnectOutcome =
  | { connected: true; answered: true; ms: number }
  | { connected: false; answered: boolean; ms: number; error: unknown };

/**
 * One connect attempt to an IP address, closed again at once. Never rejects: an abort of
 * `signal` resolves as a failure carrying `signal.reason`.
 */
export function tcpConnect(
  address: string,
  port: number,
  signal: AbortSignal,
  monotonic: () => number = () => performance.now(),
): Promise<ConnectOutcome> {
  const started = monotonic();
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve({ connected: false, answered: false, ms: 0, error: signal.reason });
      return;
    }
    const socket = new Socket();
    const done = (outcome: ConnectOutcome): void => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(outcome);
    };
    const onAbort = (): void => done({ connected: false, answered: false, ms: monotonic() - started, error: signal.reason });
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => done({ connected: true, answered: true, ms: monotonic() - started }));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done({ connected: false, answered: error.code === 'ECONNREFUSED', ms: monotonic() - started, error }),
    );
    socket.connect({ host: address, port, autoSelectFamily: false });
  });
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

export const probeTcp: LayerProbe<TargetContext, TcpResult> = async (ctx) => {
  const address = ctx.address ?? ctx.target.host;
  const { port } = ctx.target;
  const started = ctx.deps.monotonic();
  const outcome = await withDeadline(ctx.options.timeoutMs, ctx.signal, (signal) =>
    tcpConnect(address, port, signal, ctx.deps.monotonic),
  ).catch((error: unknown): ConnectOutcome => ({ connected: false, answered: false, ms: ctx.deps.monotonic() - started, error }));
  const base = { layer: 'tcp' as const, method: 'tcp' as const, durationMs: round(outcome.ms), address, port };
  if (outcome.connected) return { ...base, ok: true, reason: null, code: null, connectMs: round(outcome.ms) };
  const { code, reason } = describeError(outcome.error, `TCP connect to ${address}:${port}`);
  return { ...base, ok: false, reason, code, connectMs: null };
};
