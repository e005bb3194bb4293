/**
 * The real dependencies of the network probes. Create once for the agent's life (the RTT windows
 * live here) and pass to every round; tests replace single members.
 */
import { readFile } from 'node:fs/promises';
import { createSystemResolver } from './dns.js';
import { readInterfaces } from './link.js';
import { createPinger } from './ping.js';
import { readDefaultRoute } from './route.js';
import { RttWindows } from './rtt-window.js';
import type { ProbeDeps } from './types.js';

/** Where distributions keep the OS trust bundle (Debian/Ubuntu/Alpine, RHEL, macOS/BSD, SUSE). */
const SYSTEM_CA_FILES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/cert.pem',
  '/etc/ssl/ca-bundle.pem',
];

let systemCaOnce: Promise<string | null> | undefined;

/**
 * The OS trust bundle (SSL_CERT_FILE first), read once per process: Node 20 has no API for the
 * system store and otherwise trusts only its own bundled Mozilla roots. Null (Windows, or no file
 * found) means Node's bundled roots.
 */
export function readSystemCa(): Promise<string | null> {
  systemCaOnce ??= (async () => {
    const candidates = [process.env.SSL_CERT_FILE, ...SYSTEM_CA_FILES].filter((p): p is string => !!p);
    for (const path of candidates) {
      const pem = await readFile(path, 'utf8').catch(() => null);
      if (pem !== null && pem.includes('BEGIN CERTIFICATE')) return pem;
    }
    return null;
  })();
  return systemCaOnce;
}

export function createProbeDeps(overrides: Partial<ProbeDeps> = {}): ProbeDeps {
  const platform = overrides.platform ?? process.platform;
  return {
    now: () => Date.now(),
    monotonic: () => performance.now(),
    platform,
    resolver: createSystemResolver(),
    ping: createPinger({ platform }),
    defaultRoute: () => readDefaultRoute(platform),
    interfaces: () => readInterfaces(platform),
    systemCa: platform === 'win32' ? async () => null : readSystemCa,
    windows: new RttWindows(),
    ...overrides,
  };
}
