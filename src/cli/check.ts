import { parseArgs } from 'node:util';
import type { Config } from '../config/index.js';
import type { DeviceState } from '../health/model.js';
import { createFleet } from '../devices/fleet.js';
import { PathHealth } from '../health/path-health.js';
import { createPathChecks } from '../probes/monitor.js';
import { type DeviceStatusView, type StatusDocument, statusDocument } from '../http/status-document.js';
import { quietLogger } from '../log.js';
import { configSource, loadOrReport } from './config-source.js';
import { exitCodes } from './main.js';

/**
 * `posdiag check`: one round of every check, printed for a person (or as the API's JSON with
 * --json). Exit 0 healthy, 1 faults found, 2 config or usage error. It does not bind the HTTP
 * port, so it runs beside a running agent (but a serial port can have only one owner: a device
 * the running agent holds is reported as "cannot open … Cannot lock port"). Devices in
 * passthrough mode are left to the agent.
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

  const document = await checkRound(config);

  if (values.json) {
    io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    io.stdout.write(`posdiag check — ${source.embedded ? 'embedded default config (simulated devices)' : source.path}\n`);
    for (const device of document.devices) io.stdout.write(describe(device));
    for (const device of config.devices.filter((d) => d.mode === 'passthrough')) {
      io.stdout.write(`${device.id} (${device.driver}): shared with the till (mode: passthrough); not polled here, where it could cut into a payment or a print job: the running agent watches it (status page, /api/v1/status)\n`);
    }
    io.stdout.write(describeNetwork(document));
    io.stdout.write(`overall: ${document.overall}\n`);
  }
  return document.alerts.length > 0 ? exitCodes.faults : exitCodes.ok;
}

/**
 * One round of every check without the daemon: each device polled once (or found unreachable),
 * the network path and the host checked. Also what `posdiag bundle` reports when no agent runs.
 */
export async function checkRound(config: Config): Promise<StatusDocument> {
  // A device shared with the till belongs to the running agent: a second program talking to it
  // (a second ZVT client, a query in the middle of a print job) is what passthrough prevents.
  const devices = config.devices.filter((d) => d.mode !== 'passthrough');
  const fleet = await createFleet(devices, quietLogger(), { unreachableAfter: 1 });
  const settled = new Promise<void>((resolve) => {
    const done = () => fleet.health.allDevices().every(hasVerdict);
    if (done()) resolve();
    fleet.health.on('change', () => {
      if (done()) resolve();
    });
  });
  const paths = new PathHealth();
  const checks = createPathChecks(config.network, config.host, config.storage.dir, paths, { streamIcmp: false });
  fleet.start();
  await Promise.all([
    settled,
    checks.hostRound(),
    checks.networkRound?.(AbortSignal.timeout(Math.max(config.network.intervalMs, config.network.timeoutMs * 4))),
  ]);
  const document = statusDocument({ devices: fleet.health.allDevices(), network: paths.network(), host: paths.host() }, new Date());
  await fleet.stop();
  return document;
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
  if (device.cardReader !== null) lines.push(`  terminal: ${describeTerminal(device)}`);
  if (identity) lines.push(`  identity: ${identity}`);
  if (device.lastError) lines.push(`  last error: ${device.lastError}`);
  lines.push(`  conditions: ${device.conditions.length ? device.conditions.join(', ') : 'none'}`);
  return `${lines.join('\n')}\n`;
}

/** `card reader ok, not locked, logged on, no tamper, last end-of-day …` from what the terminal said. */
function describeTerminal(d: DeviceStatusView): string {
  const word = (value: boolean | null, yes: string, no: string) => (value === null ? `${yes}?` : value ? yes : no);
  return [
    `card reader ${d.cardReader}`,
    word(d.locked, 'locked', 'not locked'),
    word(d.loggedOn, 'logged on', 'not logged on'),
    word(d.tamper, 'TAMPER', 'no tamper'),
    ...(d.outOfOrder ? ['OUT OF ORDER'] : []),
    ...(d.settlementDue ? ['end-of-day due'] : []),
    `last end-of-day ${d.lastSettlementAt ?? 'not seen'}`,
  ].join(', ');
}

function describeNetwork(document: StatusDocument): string {
  const { network, host } = document;
  const lines: string[] = [];
  if (network.targets.length === 0) {
    lines.push('network: no targets configured');
  } else {
    lines.push(`network: ${network.verdict}${network.reason ? ` (${network.reason})` : ''}`);
    for (const target of network.targets) {
      const failed = target.failedLayer ? `, fails at ${target.failedLayer}` : '';
      lines.push(`  ${target.name} ${target.host}:${target.port}: ${target.verdict}${failed}${target.reason ? ` — ${target.reason}` : ''}`);
    }
  }
  const failedChecks = host.checks.filter((c) => !c.ok);
  lines.push(`host: ${host.ok === null ? 'not checked' : failedChecks.length === 0 ? 'ok' : failedChecks.map((c) => `${c.check}: ${c.reason}`).join('; ')}`);
  return `${lines.join('\n')}\n`;
}
