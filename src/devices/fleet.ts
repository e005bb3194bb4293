import { driverDefinition } from '../../drivers/index.js';
import type { TransportKind } from '../../drivers/model.js';
import type { DeviceConfig } from '../config/index.js';
import { HealthModel } from '../health/model.js';
import type { Logger } from '../log.js';
import { type DevicePassthrough, startPassthrough } from '../passthrough/index.js';
import type { LinkOpener } from '../transport/link.js';
import { serialOpener } from '../transport/serial.js';
import { tcpOpener } from '../transport/tcp.js';
import { type BuiltInSimulator, builtInSimulatorTransport, startBuiltInSimulator } from './built-in-simulator.js';
import { DeviceSession, type PollObserver } from './session.js';
import type { SimulatorEndpoint } from './simulator-endpoint.js';

export interface Fleet {
  health: HealthModel;
  simulators: ReadonlyMap<string, SimulatorEndpoint>;
  /** Starts polling every device. */
  start(): void;
  /** Ends the waits of one device (or all): they poll (or reconnect) now. */
  pollNow(deviceId?: string): void;
  stop(): Promise<void>;
}

export interface FleetOverrides {
  /** `posdiag check` wants a verdict after one poll, not after three. */
  unreachableAfter?: number;
  /** Told about every poll (metrics). */
  onPoll?: PollObserver;
}

/**
 * Sets up one session per configured device, real or simulated. Devices that cannot be opened
 * do not stop anything: they are reported unreachable and retried.
 */
export async function createFleet(devices: readonly DeviceConfig[], log: Logger, overrides: FleetOverrides = {}): Promise<Fleet> {
  const health = new HealthModel();
  const sessions = new Map<string, DeviceSession>();
  const builtIns: BuiltInSimulator[] = [];
  const passthroughs: DevicePassthrough[] = [];
  const simulators = new Map<string, SimulatorEndpoint>();

  for (const device of devices) {
    const deviceLog = log.child({ device: device.id, driver: device.driver });
    const definition = driverDefinition(device.driver);
    let openLink: LinkOpener;
    let simulated = false;
    // A simulated device behind a TCP passthrough port speaks as a TCP device (framing; see framedByTransport).
    const transport: TransportKind =
      device.transport.type !== 'simulator' ? device.transport.type : device.passthrough?.type === 'tcp' ? 'tcp' : builtInSimulatorTransport;
    if (device.transport.type === 'simulator') {
      const builtIn = await startBuiltInSimulator(definition, device.id, device.transport.pty !== 'never', deviceLog, transport);
      if (device.transport.faults) builtIn.endpoint.simulator.setFaults(device.transport.faults);
      builtIns.push(builtIn);
      simulators.set(device.id, builtIn.endpoint);
      openLink = builtIn.openLink;
      simulated = true;
      deviceLog.info({ wire: builtIn.wire }, 'SIMULATED device: no real hardware behind this id');
    } else {
      openLink = realDeviceOpener(device, deviceLog);
    }
    health.addDevice({ id: device.id, name: device.name, driver: device.driver, simulated, transport: describeTransport(device) });
    let passthrough: DevicePassthrough | null = null;
    if (device.mode === 'passthrough' && device.passthrough) {
      try {
        passthrough = await startPassthrough({
          deviceId: device.id,
          driver: device.driver,
          definition,
          config: device.passthrough,
          transport,
          options: device.options,
          requestTimeoutMs: device.requestTimeoutMs,
          health,
          log: deviceLog,
        });
      } catch (error) {
        await Promise.all(passthroughs.map((p) => p.close()));
        await Promise.all(builtIns.map((b) => b.close()));
        throw new Error(`device ${device.id}: passthrough: ${error instanceof Error ? error.message : String(error)}`);
      }
      passthroughs.push(passthrough);
    }
    sessions.set(
      device.id,
      new DeviceSession({
        definition,
        settings: {
          id: device.id,
          pollIntervalMs: device.pollIntervalMs,
          requestTimeoutMs: device.requestTimeoutMs,
          unreachableAfter: overrides.unreachableAfter ?? device.unreachableAfter,
          reconnectMinMs: device.reconnect.minDelayMs,
          reconnectMaxMs: device.reconnect.maxDelayMs,
          options: device.options,
          transport,
        },
        openLink,
        health,
        log: deviceLog,
        ...(overrides.onPoll ? { onPoll: overrides.onPoll } : {}),
        ...(passthrough ? { passthrough: passthrough.proxy, settlementSeenAt: passthrough.settlementSeenAt } : {}),
      }),
    );
  }

  logConditionChanges(health, log);

  return {
    health,
    simulators,
    start() {
      for (const session of sessions.values()) session.start();
    },
    pollNow(deviceId) {
      for (const [id, session] of sessions) if (deviceId === undefined || id === deviceId) session.pollNow();
    },
    async stop() {
      await Promise.all([...sessions.values()].map((s) => s.stop()));
      await Promise.all(passthroughs.map((p) => p.close()));
      await Promise.all(builtIns.map((b) => b.close()));
    },
  };
}

function realDeviceOpener(device: DeviceConfig, log: Logger): LinkOpener {
  const onListenerError = (error: unknown) => log.error({ err: error }, 'driver failed while reading');
  const transport = device.transport;
  switch (transport.type) {
    case 'serial':
      return serialOpener(transport, onListenerError);
    case 'tcp':
      return tcpOpener({ host: transport.host, port: transport.port, connectTimeoutMs: transport.connectTimeoutMs }, onListenerError);
    case 'simulator':
      throw new Error('simulated devices are opened by startBuiltInSimulator');
  }
}

function describeTransport(device: DeviceConfig): string {
  const t = device.transport;
  if (t.type === 'serial') return `serial:${t.path}@${t.baudRate}`;
  if (t.type === 'tcp') return `tcp:${t.host}:${t.port}`;
  return 'simulator';
}


/** One log line per condition raised or cleared: what support reads first in a log. */
function logConditionChanges(health: HealthModel, log: Logger): void {
  const previous = new Map<string, string[]>();
  health.on('change', (id) => {
    const now = health.device(id)?.conditions.map((c) => c.id) ?? [];
    const before = previous.get(id) ?? [];
    previous.set(id, now);
    for (const condition of now.filter((c) => !before.includes(c))) log.warn({ device: id, condition }, 'condition raised');
    for (const condition of before.filter((c) => !now.includes(c))) log.info({ device: id, condition }, 'condition cleared');
  });
}
