import { parseArgs } from 'node:util';
import type { DeviceState } from '../health/model.js';
import { createFleet } from '../devices/fleet.js';
import { statusDocument, type DeviceStatusView } from '../http/status-document.js';
import { quietLogger } from '../log.js';
import { configSource, loadOrReport } from './config-source.js';
import { exitCodes } from './main.js';

/**
 * `posdiag check`: one round of every check, printed for a person (or as the API's JSON with
 * --json). Exit 0 healthy, 1 faults found, 2 config or usage error. It does not bind the HTTP
 * port, so it runs beside a running agent (but a serial port can have only one owner: a device
 * the running agent holds is reported as "cannot open … Cannot lock port").
 */
export async function checkCommand(args: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { config: { type: 'string', short: 'c' }, json: { type: 'boolean' } },
    strict: true,
  });
  const source = configSource(values.config);
  const config = await loadOrReport(source, io.stderr);
  if (!config) return exitCodes.usage;

  const fleet = await createFleet(config.devices, quietLogger(), { unreachableAfter: 1 });
  const settled = new Promise<void>((resolve) => {
    const done = () => fleet.health.allDevices().every(hasVerdict);
    if (done()) resolve();
    fleet.health.on('change', () => {
      if (done()) resolve();
    });
  });
  fleet.start();
  await settled;
  const document = statusDocument(fleet.health.allDevices(), new Date());
  await fleet.stop();

  if (values.json) {
    io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    io.stdout.write(`posdiag check — ${source.embedded ? 'embedded default config (simulated devices)' : source.path}\n`);
    for (const device of document.devices) io.stdout.write(describe(device));
    io.stdout.write(`overall: ${document.overall}\n`);
  }
  return document.devices.some((d) => d.conditions.length > 0) ? exitCodes.faults : exitCodes.ok;
}

/** A device has been polled once, or is known to be unreachable. */
function hasVerdict(device: DeviceState): boolean {
  return device.pollCount > 0 || device.unreachable;
}

function describe(device: DeviceStatusView): string {
  const tag = device.simulated ? ' [SIMULATED]' : '';
  const identity = [device.manufacturer, device.model, device.serial && `s/n ${device.serial}`, device.firmware && `fw ${device.firmware}`]
    .filter(Boolean)
    .join(', ');
  const lines = [`${device.id} (${device.driver}, ${device.transport})${tag}`];
  lines.push(`  connected: ${device.connected ? 'yes' : 'no'}   power: ${device.power}   state: ${device.globalStatus}`);
  if (device.printer) lines.push(`  printer: ${device.printer.status}${device.printer.coverOpen ? ', cover open' : ''}`);
  if (identity) lines.push(`  identity: ${identity}`);
  if (device.lastError) lines.push(`  last error: ${device.lastError}`);
  lines.push(`  conditions: ${device.conditions.length ? device.conditions.join(', ') : 'none'}`);
  return `${lines.join('\n')}\n`;
}
