import type { DriverDefinition } from '../../drivers/index.js';
import type { Simulator, TransportKind } from '../../drivers/model.js';
import type { ByteLink } from '../transport/link.js';

/**
 * A simulator plus the link it currently talks over. The simulator (and its faults) lives as
 * long as the endpoint; links come and go (a pty reopened, a TCP client reconnecting), so the
 * simulator's output always goes to whichever link is attached now.
 */
export interface SimulatorEndpoint {
  readonly simulator: Simulator<Record<string, unknown>>;
  attach(link: ByteLink): void;
  close(): void;
}

/** `transport`: what the simulated device sits on, so it frames its bytes as a real one would. */
export function createSimulatorEndpoint(
  definition: DriverDefinition,
  transport: TransportKind,
  /** Told of every chunk received and sent, in order (`posdiag simulate --capture`). */
  onTraffic?: (direction: 'in' | 'out', bytes: Uint8Array) => void,
): SimulatorEndpoint {
  let current: ByteLink | null = null;
  let detach: (() => void) | null = null;
  const simulator = definition.createSimulator({
    transport,
    send(bytes) {
      onTraffic?.('out', bytes);
      // A write racing an unplug is what a real device does too: the bytes are lost.
      current?.write(bytes).catch(() => undefined);
    },
    schedule(delayMs, fn) {
      const timer = setTimeout(fn, delayMs);
      return { cancel: () => clearTimeout(timer) };
    },
  }) as Simulator<Record<string, unknown>>;

  return {
    simulator,
    attach(link) {
      detach?.();
      current = link;
      const unsubscribe = link.onData((chunk) => {
        onTraffic?.('in', chunk);
        simulator.receive(chunk);
      });
      detach = () => {
        unsubscribe();
        if (current === link) current = null;
      };
      void link.closed.then(() => {
        if (current === link) detach?.();
      });
    },
    close() {
      detach?.();
      simulator.close();
    },
  };
}
