import { PosdiagProcess } from './process.js';

export interface SimulatorUnderTest {
  process: PosdiagProcess;
  /** `host:port` of its control API. */
  control: string;
  /** Where it serves the device: `serial:PATH` or `tcp:HOST:PORT`. */
  wire: string;
  setFaults(faults: Record<string, unknown>): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** `posdiag simulate <driver> …` as a separate process, with its control API on a free port. */
export async function startSimulatorProcess(
  driver: string,
  where: ['--port', string] | ['--listen', string],
  extraArgs: string[] = [],
): Promise<SimulatorUnderTest> {
  const simulator = new PosdiagProcess(['simulate', driver, ...where, '--control', '127.0.0.1:0', ...extraArgs]);
  const ready = await simulator.waitForLine((l) => l.event === 'ready');
  const control = String(ready.control);
  return {
    process: simulator,
    control,
    wire: String(ready.wire),
    async setFaults(faults) {
      const response = await fetch(`http://${control}/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(faults),
      });
      const body = (await response.json()) as Record<string, unknown>;
      if (response.status !== 200) throw new Error(`simulator refused ${JSON.stringify(faults)}: ${JSON.stringify(body)}`);
      return body;
    },
    async stop() {
      await simulator.stop();
    },
  };
}
