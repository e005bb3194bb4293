import { parseArgs } from 'node:util';
import { findSerialPorts } from '../transport/discovery.js';
import { exitCodes } from './main.js';

/** `posdiag devices`: serial ports found, with the stable path to put in the config. */
export async function devicesCommand(args: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } }, strict: true });
  const { ports, warning } = await findSerialPorts();
  if (warning) io.stderr.write(`posdiag devices: ${warning}\n`);
  if (values.json) {
    io.stdout.write(`${JSON.stringify(ports, null, 2)}\n`);
    return exitCodes.ok;
  }
  if (ports.length === 0) {
    io.stdout.write('No serial ports found. Plug in the USB-serial adapter or printer and run this again.\n');
    return exitCodes.ok;
  }
  for (const port of ports) {
    const ids = port.vendorId ? `VID:PID ${port.vendorId}:${port.productId ?? '?'}` : 'VID:PID unknown';
    io.stdout.write(`${port.path}\n  ${ids}   serial: ${port.serialNumber ?? 'unknown'}   maker: ${port.manufacturer ?? 'unknown'}\n`);
    io.stdout.write(port.byIdPath ? `  stable path (use this in the config): ${port.byIdPath}\n` : '  no stable /dev/serial/by-id path (built-in port or no udev)\n');
  }
  return exitCodes.ok;
}
