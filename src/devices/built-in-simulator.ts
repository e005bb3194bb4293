import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DriverDefinition } from '../../drivers/index.js';
import type { TransportKind } from '../../drivers/model.js';
import type { Logger } from '../log.js';
import type { LinkOpener } from '../transport/link.js';
import { memoryLinkPair } from '../transport/memory.js';
import { findSocat, openPtyPair, type PtyPair } from '../transport/pty-pair.js';
import { serialOpener } from '../transport/serial.js';
import { createSimulatorEndpoint, type SimulatorEndpoint } from './simulator-endpoint.js';

export interface BuiltInSimulator {
  endpoint: SimulatorEndpoint;
  /** How the agent reaches the simulated device: `pty` (through socat, the real serial path) or `memory`. */
  wire: 'pty' | 'memory';
  openLink: LinkOpener;
  close(): Promise<void>;
}

/**
 * A simulated device for the embedded default config and demos. Where socat is installed the
 * simulator sits behind a real pty pair, so the agent exercises exactly the serial code a real
 * printer would; where it is not, an in-process pipe carries the same bytes. Either way it is a
 * serial device: protocols that frame by transport (ZVT) use their serial framing.
 */
export const builtInSimulatorTransport = 'serial' satisfies TransportKind;

export async function startBuiltInSimulator(
  definition: DriverDefinition,
  deviceId: string,
  ptyWanted: boolean,
  log: Logger,
  framing: TransportKind = builtInSimulatorTransport,
): Promise<BuiltInSimulator> {
  // A simulated device offered to a till over TCP (passthrough) frames as a TCP device would.
  const endpoint = createSimulatorEndpoint(definition, framing);
  const onListenerError = (error: unknown) => log.error({ err: error }, 'simulator listener failed');
  const socat = ptyWanted ? await findSocat() : null;

  if (socat) {
    const dir = await mkdtemp(path.join(os.tmpdir(), `posdiag-${deviceId}-`));
    let pair: PtyPair | null = null;
    try {
      pair = await openPtyPair(socat, path.join(dir, 'host'), path.join(dir, 'device'));
      const settings = { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1, rtscts: false } as const;
      const deviceSide = await serialOpener({ path: pair.devicePath, ...settings }, onListenerError)();
      endpoint.attach(deviceSide);
      const openedPair = pair;
      return {
        endpoint,
        wire: 'pty',
        openLink: serialOpener({ path: openedPair.hostPath, ...settings }, onListenerError),
        async close() {
          endpoint.close();
          await deviceSide.close();
          await openedPair.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      log.warn({ err: error }, 'could not put the simulator on a pty pair; using an in-process link');
      await pair?.close();
      await rm(dir, { recursive: true, force: true });
    }
  }

  return {
    endpoint,
    wire: 'memory',
    openLink: async () => {
      const [hostSide, deviceSide] = memoryLinkPair(deviceId, onListenerError);
      endpoint.attach(deviceSide);
      return hostSide;
    },
    async close() {
      endpoint.close();
    },
  };
}
