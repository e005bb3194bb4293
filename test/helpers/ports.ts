import { randomInt } from 'node:crypto';
import net from 'node:net';

/** A TCP port on `host` (127.0.0.1 unless given) that was free a moment ago (for servers that cannot take port 0). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A free TCP address on an address of its own in 127.0.0.0/8. The kernel hands a port it just
 * freed to every test process that asks, so two tests can both hold "their" free port on
 * 127.0.0.1, and one that sends to it while its server is down (an alert, a heartbeat) reaches
 * the other's listener. A till's passthrough port must hear nothing but its till: a random
 * loopback address makes that collision all but impossible.
 */
export async function freeLoopbackAddress(): Promise<{ host: string; port: number }> {
  const host = `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
  return { host, port: await freePort(host) };
}
