/**
 * Where the default route goes. On Linux this reads /proc/net/route and /proc/net/ipv6_route
 * (no child process, and it sees the network namespace of this process). Elsewhere it asks
 * systeminformation's networkGatewayDefault, which is asynchronous (unlike its networkInterfaces,
 * which blocks the event loop for 60-80 ms and is never called here).
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';

export interface DefaultRoute {
  /** Next hop, or null for an on-link default route (ppp, some VPNs): nothing to probe. */
  gateway: string | null;
  interface: string | null;
  family: 4 | 6;
}

const RTF_UP = 0x1;

/** Parses /proc/net/route; the default route with the lowest metric, or null. */
export function parseProcNetRoute(text: string): DefaultRoute | null {
  let best: { route: DefaultRoute; metric: number } | null = null;
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [iface, destination, gatewayHex, flags, , , metric, mask] = f;
    if (destination !== '00000000' || mask !== '00000000') continue;
    if ((parseInt(flags ?? '0', 16) & RTF_UP) === 0) continue;
    // Little-endian hex: 010012C6 is 198.18.0.1.
    const bytes = (gatewayHex ?? '').match(/../g)?.map((b) => parseInt(b, 16)).reverse() ?? [];
    const gateway = bytes.length === 4 && bytes.some((b) => b !== 0) ? bytes.join('.') : null;
    const m = parseInt(metric ?? '0', 10);
    if (best === null || m < best.metric) best = { route: { gateway, interface: iface ?? null, family: 4 }, metric: m };
  }
  return best?.route ?? null;
}

/** Parses /proc/net/ipv6_route (dest, prefix, src, src prefix, next hop, metric, refcnt, use, flags, iface). */
export function parseProcNetIpv6Route(text: string): DefaultRoute | null {
  let best: { route: DefaultRoute; metric: number } | null = null;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [destination, prefix, , , nextHop, metricHex, , , flags, iface] = f;
    if (!/^0{32}$/.test(destination ?? '') || prefix !== '00') continue;
    if ((parseInt(flags ?? '0', 16) & RTF_UP) === 0 || iface === 'lo') continue;
    const gateway = /^0{32}$/.test(nextHop ?? '') ? null : (nextHop?.match(/.{4}/g)?.join(':') ?? null);
    const m = parseInt(metricHex ?? '0', 16);
    if (best === null || m < best.metric) best = { route: { gateway, interface: iface ?? null, family: 6 }, metric: m };
  }
  return best?.route ?? null;
}

async function readOptional(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}

/** The default route of this process's network namespace; IPv4 preferred. */
export async function readDefaultRoute(platform: NodeJS.Platform = process.platform): Promise<DefaultRoute | null> {
  if (platform === 'linux') {
    const [v4, v6] = await Promise.all([readOptional('/proc/net/route'), readOptional('/proc/net/ipv6_route')]);
    return parseProcNetRoute(v4) ?? parseProcNetIpv6Route(v6);
  }
  // Loaded only off Linux: about 10 MB of RSS for one call.
  const { default: si } = await import('systeminformation');
  const gateway = await si.networkGatewayDefault().catch(() => '');
  const family = isIP(gateway);
  return family === 0 ? null : { gateway, interface: null, family: family === 6 ? 6 : 4 };
}
