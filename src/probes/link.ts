/**
 * Link layer: is there an interface that is up and has an address, and is the default route's
 * interface one of them? On Linux the operstate comes from /sys/class/net (asynchronous reads);
 * addresses come from os.networkInterfaces() (getifaddrs, microseconds). systeminformation's
 * networkInterfaces is not used: it is synchronous and blocks the loop for 60-80 ms.
 */
import { readFile, readdir } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { withDeadline } from './deadline.js';
import { describeError } from './errors.js';
import type { DefaultRoute } from './route.js';
import type { LayerProbe, LinkResult, PathContext } from './types.js';

export interface InterfaceInfo {
  name: string;
  /** Linux operstate (up, down, dormant, lowerlayerdown, unknown…); null where the OS has none. */
  operstate: string | null;
  internal: boolean;
  addresses: string[];
}

/** The real interface list; `platform` picks whether /sys/class/net is read. */
export async function readInterfaces(platform: NodeJS.Platform = process.platform): Promise<InterfaceInfo[]> {
  const byName = new Map<string, InterfaceInfo>();
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    byName.set(name, {
      name,
      operstate: null,
      internal: (addrs ?? []).some((a) => a.internal),
      addresses: (addrs ?? []).map((a) => a.address),
    });
  }
  if (platform === 'linux') {
    const names = await readdir('/sys/class/net').catch(() => [] as string[]);
    await Promise.all(
      names.map(async (name) => {
        const state = (await readFile(`/sys/class/net/${name}/operstate`, 'utf8').catch(() => 'unknown')).trim();
        const known = byName.get(name);
        if (known) known.operstate = state;
        else byName.set(name, { name, operstate: state, internal: name === 'lo', addresses: [] });
      }),
    );
  }
  return [...byName.values()];
}

/** Up (or "unknown", which tun/ppp/wwan drivers report while working) and holding an address. */
export function isActive(i: InterfaceInfo): boolean {
  if (i.internal || i.addresses.length === 0) return false;
  return i.operstate === null || i.operstate === 'up' || i.operstate === 'unknown';
}

/** Pure decision, given the interfaces and the default route. */
export function judgeLink(
  interfaces: readonly InterfaceInfo[],
  route: DefaultRoute | null,
): Pick<LinkResult, 'ok' | 'reason' | 'code' | 'active' | 'routeInterface'> {
  const active = interfaces.filter(isActive).map((i) => i.name).sort();
  const routeInterface = route?.interface ?? null;
  if (routeInterface !== null) {
    const info = interfaces.find((i) => i.name === routeInterface);
    if (info !== undefined && !isActive(info)) {
      const state = info.addresses.length === 0 ? 'has no address' : `is ${info.operstate ?? 'down'}`;
      return { ok: false, code: 'ROUTE_INTERFACE_DOWN', reason: `default route interface ${routeInterface} ${state}`, active, routeInterface };
    }
  }
  if (active.length === 0) {
    return { ok: false, code: 'NO_ACTIVE_INTERFACE', reason: 'no active network interface (cable unplugged or Wi-Fi off?)', active, routeInterface };
  }
  return { ok: true, code: null, reason: null, active, routeInterface };
}

export const probeLink: LayerProbe<PathContext, LinkResult> = async (ctx) => {
  const started = ctx.deps.monotonic();
  const method = ctx.deps.platform === 'linux' ? 'sysfs' : 'os';
  const elapsed = (): number => Math.round((ctx.deps.monotonic() - started) * 1000) / 1000;
  try {
    const [interfaces, route] = await withDeadline(ctx.options.timeoutMs, ctx.signal, () =>
      Promise.all([ctx.deps.interfaces(), ctx.deps.defaultRoute()]),
    );
    return { layer: 'link', method, durationMs: elapsed(), ...judgeLink(interfaces, route) };
  } catch (error) {
    const { code, reason } = describeError(error, 'reading the network interfaces');
    return { layer: 'link', method, durationMs: elapsed(), ok: false, code, reason, active: [], routeInterface: null };
  }
};
