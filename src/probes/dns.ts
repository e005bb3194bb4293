/**
 * DNS layer: does the acquirer's name resolve, and how long does it take?
 *
 * The default resolver is getaddrinfo (dns.lookup), the way the till's own software resolves,
 * including /etc/hosts. getaddrinfo runs in the libuv thread pool (4 threads) and cannot be
 * cancelled, so a hung DNS server could pile up stuck lookups round after round and starve file
 * I/O; lookups of the same name therefore share one in-flight call. `createServerResolver` asks
 * given servers through c-ares instead (cancellable; no hosts file), e.g. to compare the router's
 * DNS with another.
 */
import { lookup } from 'node:dns/promises';
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { raceAbort, withDeadline } from './deadline.js';
import { describeError } from './errors.js';
import type { DnsResult, LayerProbe, ResolvedAddress, TargetContext } from './types.js';

export interface HostResolver {
  method: 'system-resolver' | 'dns-server';
  resolve(host: string, signal: AbortSignal): Promise<ResolvedAddress[]>;
}

/** getaddrinfo with one in-flight lookup per name. */
export function createSystemResolver(): HostResolver {
  const inFlight = new Map<string, Promise<ResolvedAddress[]>>();
  return {
    method: 'system-resolver',
    resolve(host, signal) {
      let pending = inFlight.get(host);
      if (pending === undefined) {
        pending = lookup(host, { all: true, verbatim: true })
          .then((found) => found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }) as ResolvedAddress))
          .finally(() => inFlight.delete(host));
        inFlight.set(host, pending);
      }
      return raceAbort(pending, signal);
    },
  };
}

/** c-ares against `servers` ("127.0.0.1:5353", "[::1]:53"): A first, AAAA if there is no A. */
export function createServerResolver(servers: string[], timeoutMs = 2_000): HostResolver {
  return {
    method: 'dns-server',
    async resolve(host, signal) {
      const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
      resolver.setServers(servers);
      const onAbort = (): void => resolver.cancel();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        const v4 = await resolver.resolve4(host).catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'ENODATA') return [] as string[];
          throw error;
        });
        if (v4.length > 0) return v4.map((address) => ({ address, family: 4 as const }));
        const v6 = await resolver.resolve6(host);
        return v6.map((address) => ({ address, family: 6 as const }));
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
  };
}

export const probeDns: LayerProbe<TargetContext, DnsResult> = async (ctx) => {
  const { host } = ctx.target;
  const started = ctx.deps.monotonic();
  const elapsed = (): number => Math.round((ctx.deps.monotonic() - started) * 1000) / 1000;
  if (isIP(host) !== 0) {
    return { layer: 'dns', ok: true, method: 'literal', durationMs: 0, reason: null, code: null, host, addresses: [host], address: host };
  }
  const method = ctx.deps.resolver.method;
  try {
    const found = await withDeadline(ctx.options.timeoutMs, ctx.signal, (signal) => ctx.deps.resolver.resolve(host, signal));
    const addresses = found.map((a) => a.address);
    if (addresses.length === 0) {
      return { layer: 'dns', ok: false, method, durationMs: elapsed(), code: 'ENODATA', reason: `resolving ${host}: no addresses`, host, addresses, address: null };
    }
    return { layer: 'dns', ok: true, method, durationMs: elapsed(), reason: null, code: null, host, addresses, address: addresses[0] ?? null };
  } catch (error) {
    const { code, reason } = describeError(error, `resolving ${host}`);
    return { layer: 'dns', ok: false, method, durationMs: elapsed(), code, reason, host, addresses: [], address: null };
  }
};
