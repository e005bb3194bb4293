/**
 * Scale: one agent with 1, 8, 32 and 64 printers, each on its own socat pty pair, at the default
 * 1 s poll interval. Reports the agent's RSS and CPU, the cost per added device, and whether
 * detection latency holds at that size.
 *
 * The printers are simulated inside this benchmark process (the same simulator the `posdiag
 * simulate` command runs, over the device end of each pty), so their work never counts
 * towards the agent's figures, and 64 devices do not need 64 extra Node processes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { driverDefinition } from '../drivers/index.js';
import { createSimulatorEndpoint, type SimulatorEndpoint } from '../src/devices/simulator-endpoint.js';
import { findSocat, openPtyPair, type PtyPair } from '../src/transport/pty-pair.js';
import { serialOpener } from '../src/transport/serial.js';
import { type AgentUnderTest, startAgentProcess } from '../test/helpers/agent.js';
import { cpuSeconds, percentile, round, rssMb } from './proc.js';

interface Farm {
  agent: AgentUnderTest;
  simulators: SimulatorEndpoint[];
  close(): Promise<void>;
}

async function printerFarm(count: number): Promise<Farm> {
  const socat = await findSocat();
  if (!socat) throw new Error('the benchmark needs socat (apt-get install socat)');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-scale-'));
  const pairs: PtyPair[] = [];
  const simulators: SimulatorEndpoint[] = [];
  for (let i = 0; i < count; i += 1) {
    const pair = await openPtyPair(socat, path.join(dir, `host-${i}`), path.join(dir, `device-${i}`));
    pairs.push(pair);
    const endpoint = createSimulatorEndpoint(driverDefinition('escpos'), 'serial');
    const open = serialOpener({ path: pair.devicePath, baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1, rtscts: false }, () => undefined);
    endpoint.attach(await open());
    simulators.push(endpoint);
  }
  const devices = pairs
    .map((pair, i) => `  - { id: printer-${i}, driver: escpos, transport: { type: serial, path: ${pair.hostPath} }, pollInterval: 1s }`)
    .join('\n');
  const agent = await startAgentProcess(`
http: { listen: 127.0.0.1:0 }
storage: { dir: ${dir}/data }
log: { level: info, format: json }
devices:
${devices}
`);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const status = (await agent.get('/api/v1/status')).body as { devices: Array<{ connected: boolean }> };
    if (status.devices.every((d) => d.connected)) break;
    if (Date.now() > deadline) throw new Error(`only ${status.devices.filter((d) => d.connected).length}/${count} printers connected`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    agent,
    simulators,
    async close() {
      await agent.stop();
      for (const s of simulators) s.close();
      for (const pair of pairs) await pair.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function measureSize(count: number, seconds: number, samples: number, settleSeconds: number) {
  const farm = await printerFarm(count);
  const pid = farm.agent.process.child.pid as number;
  try {
    await new Promise((r) => setTimeout(r, settleSeconds * 1000)); // past start-up and the first GC cycles
    const cpuStart = await cpuSeconds(pid);
    const wallStart = performance.now();
    const rss: number[] = [];
    for (let i = 0; i < seconds; i += 1) {
      await new Promise((r) => setTimeout(r, 1_000));
      rss.push(await rssMb(pid));
    }
    const cpuPercent = (((await cpuSeconds(pid)) - cpuStart) / ((performance.now() - wallStart) / 1000)) * 100;

    // Detection at this size: paper out switched on one printer, seen in /api/v1/status.
    const latencies: number[] = [];
    for (let i = 0; i < samples; i += 1) {
      const index = (i * 7) % count;
      const paperOut = !(farm.simulators[index]!.simulator.faults() as { paperOut: boolean }).paperOut;
      await new Promise((r) => setTimeout(r, Math.random() * 1_000));
      const started = performance.now();
      farm.simulators[index]!.simulator.setFaults({ paperOut });
      for (;;) {
        const device = (await farm.agent.get(`/api/v1/devices/printer-${index}`)).body as { conditions: string[] };
        if (device.conditions.includes('printer.paper_out') === paperOut) break;
        if (performance.now() - started > 30_000) throw new Error('fault not detected within 30 s');
        await new Promise((r) => setTimeout(r, 2));
      }
      latencies.push(performance.now() - started);
    }
    return {
      devices: count,
      rssMedianMb: round(percentile(rss, 50)),
      cpuPercentOfOneCore: round(cpuPercent, 3),
      detectionP50Ms: round(percentile(latencies, 50)),
      detectionP99Ms: round(percentile(latencies, 99)),
    };
  } finally {
    await farm.close();
  }
}

export async function scale(sizes: number[], seconds: number, samples: number, settleSeconds: number) {
  const rows = [];
  for (const size of sizes) rows.push(await measureSize(size, seconds, samples, settleSeconds));
  const base = rows[0]!;
  return {
    name: 'scale_printers_on_ptys',
    pollIntervalMs: 1_000,
    secondsPerSize: seconds,
    rows: rows.map((row) => ({
      ...row,
      // Cost of each device beyond the first size measured.
      rssPerAddedDeviceMb: row === base ? null : round((row.rssMedianMb - base.rssMedianMb) / (row.devices - base.devices), 3),
      cpuPercentPerAddedDevice: row === base ? null : round((row.cpuPercentOfOneCore - base.cpuPercentOfOneCore) / (row.devices - base.devices), 4),
    })),
    targetPerDeviceMb: 0.5,
    targetPerDeviceCpuPercent: 0.05,
    targetDetectionP99Ms: 1_050,
  };
}
