/**
 * ProbeDeps for tests on 127.0.0.0/8: the default route points at a loopback "gateway" and names
 * resolve through a stub or the fake DNS server, so no test packet leaves the loopback interface
 * (this machine's real gateway and resolver sit on private addresses).
 */
import { createProbeDeps } from '../../../../src/probes/deps.js';
import type { HostResolver } from '../../../../src/probes/dns.js';
import type { ProbeDeps, ProbeTarget } from '../../../../src/probes/types.js';

/** Every name is 127.0.0.1. */
export const loopbackResolver: HostResolver = {
  method: 'system-resolver',
  resolve: async () => [{ address: '127.0.0.1', family: 4 }],
};

export function loopbackDeps(overrides: Partial<ProbeDeps> = {}): ProbeDeps {
  return createProbeDeps({
    resolver: loopbackResolver,
    defaultRoute: async () => ({ gateway: '127.0.0.1', interface: null, family: 4 }),
    ...overrides,
  });
}

export function target(overrides: Partial<ProbeTarget> & { port: number }): ProbeTarget {
  return { name: 'acquirer', host: '127.0.0.1', tls: false, icmp: false, ...overrides };
}
