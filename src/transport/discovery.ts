import { readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { SerialPort } from 'serialport';

export interface FoundPort {
  path: string;
  /** The stable name under /dev/serial/by-id that survives replugging, when udev made one. */
  byIdPath: string | null;
  manufacturer: string | null;
  serialNumber: string | null;
  vendorId: string | null;
  productId: string | null;
}

/**
 * Serial ports on this machine. /dev/ttyUSB0 can become /dev/ttyUSB1 after a replug or reboot;
 * the /dev/serial/by-id link (made from the adapter's vendor, product and serial number) does
 * not, so it is the path to put in the config.
 */
export async function findSerialPorts(byIdDir = '/dev/serial/by-id'): Promise<{ ports: FoundPort[]; warning: string | null }> {
  const byId = await stableLinks(byIdDir);
  let warning: string | null = null;
  let listed: Awaited<ReturnType<typeof SerialPort.list>> = [];
  try {
    listed = await SerialPort.list();
  } catch (error) {
    // On Linux the list comes from `udevadm`; without it we still know the by-id links.
    warning = `could not list ports (${error instanceof Error ? error.message : String(error)}); on Debian/Ubuntu: apt-get install udev`;
  }
  const ports: FoundPort[] = listed.map((p) => ({
    path: p.path,
    byIdPath: byId.get(p.path) ?? null,
    manufacturer: p.manufacturer ?? null,
    serialNumber: p.serialNumber ?? null,
    vendorId: p.vendorId ?? null,
    productId: p.productId ?? null,
  }));
  for (const [target, link] of byId) {
    if (!ports.some((p) => p.path === target)) {
      ports.push({ path: target, byIdPath: link, manufacturer: null, serialNumber: null, vendorId: null, productId: null });
    }
  }
  return { ports, warning };
}

async function stableLinks(dir: string): Promise<Map<string, string>> {
  const links = new Map<string, string>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return links;
  }
  for (const name of names) {
    const link = path.join(dir, name);
    try {
      links.set(path.resolve(dir, await readlink(link)), link);
    } catch {
      // not a link; ignore
    }
  }
  return links;
}
