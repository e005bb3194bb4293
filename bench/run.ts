/**
 * `npm run bench [-- --quick]`: the agent's speed and memory, measured on real processes (the
 * agent, a simulator process, a socat pty pair), printed as JSON on stdout and as a table on
 * stderr. Not a test: numbers are reported, not asserted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { findSocat, openPtyPair, type PtyPair } from '../src/transport/pty-pair.js';
import { type AgentUnderTest, startAgentProcess } from '../test/helpers/agent.js';
import { type SimulatorUnderTest, startSimulatorProcess } from '../test/helpers/simulator.js';
import { childrenRssMb, cpuSeconds, machine, percentile, round, rssMb, treeCpuSeconds, wakeupCpuMicroseconds } from './proc.js';
import { httpLoad } from './http-load.js';
import { probesSideBySide } from './probes.js';
import { storeCost } from './store.js';
import { zvtDetectionLatency } from './zvt-detection.js';
import { scale } from './scale.js';
import { passthroughBench } from './passthrough.js';

const quick = process.argv.includes('--quick');
/** `--only NAME[,NAME]` runs just those phases (detection, footprint, polls, probes, scale, http, store, passthrough). */
const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex >= 0 ? new Set((process.argv[onlyIndex + 1] ?? '').split(',')) : null;
const wanted = (phase: string) => only === null || only.has(phase);

interface Rig {
  agent: AgentUnderTest;
  simulator: SimulatorUnderTest;
  close(): Promise<void>;
}

async function printerRig(pollInterval: string, extra = ''): Promise<Rig> {
  const socat = await findSocat();
  if (!socat) throw new Error('the benchmark needs socat (apt-get install socat)');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-bench-'));
  const pair: PtyPair = await openPtyPair(socat, path.join(dir, 'host'), path.join(dir, 'device'));
  const simulator = await startSimulatorProcess('escpos', ['--port', pair.devicePath]);
  const agent = await startAgentProcess(`
http: { listen: 127.0.0.1:0 }
storage: { dir: ${dir}/data }
log: { level: info, format: json }
devices:
  - id: printer-1
    driver: escpos
    transport: { type: serial, path: ${pair.hostPath} }
    pollInterval: ${pollInterval}
${extra}`);
  await waitFor(async () => (await device(agent)).connected === true);
  return {
    agent,
    simulator,
    async close() {
      await agent.stop();
      await simulator.stop();
      await pair.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function device(agent: AgentUnderTest) {
  return (await agent.get('/api/v1/devices/printer-1')).body;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000, everyMs = 2): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error('timed out');
}

/** Fault switched in the simulator → condition visible in /api/v1/status, and in /metrics. */
async function detectionLatency(pollIntervalMs: number, samples: number) {
  const rig = await printerRig(`${pollIntervalMs}ms`);
  const api: number[] = [];
  const metrics: number[] = [];
  const noPaperSeries = /^posdiag_printer_status\{device="printer-1",status="no_paper"\} 1$/m;
  try {
    for (let i = 0; i < samples; i += 1) {
      const paperOut = i % 2 === 0;
      // Switch at a random phase of the poll cycle, as a real fault would happen.
      await new Promise((r) => setTimeout(r, Math.random() * pollIntervalMs));
      const started = performance.now();
      await rig.simulator.setFaults({ paperOut });
      await Promise.all([
        waitFor(async () => {
          const conditions = (await rig.agent.get('/api/v1/status')).body.devices[0].conditions as string[];
          return conditions.includes('printer.paper_out') === paperOut;
        }).then(() => api.push(performance.now() - started)),
        waitFor(async () => noPaperSeries.test(await (await fetch(`${rig.agent.url}/metrics`)).text()) === paperOut).then(() =>
          metrics.push(performance.now() - started),
        ),
      ]);
    }
  } finally {
    await rig.close();
  }
  return {
    name: `detection_latency_${pollIntervalMs}ms`,
    pollIntervalMs,
    samples,
    p50Ms: round(percentile(api, 50)),
    p99Ms: round(percentile(api, 99)),
    maxMs: round(Math.max(...api)),
    metricsP50Ms: round(percentile(metrics, 50)),
    metricsP99Ms: round(percentile(metrics, 99)),
    targetP99Ms: pollIntervalMs + 50,
  };
}

/**
 * RSS and CPU of the agent at default intervals with what a shop has: one printer (on a pty), one
 * payment terminal (ZVT over TCP) and three acquirer targets (TCP listeners on loopback, pinged).
 */
async function steadyFootprint(seconds: number, settleSeconds: number) {
  const terminal = await startSimulatorProcess('zvt', ['--listen', '127.0.0.1:0']);
  const [terminalHost, terminalPort] = terminal.wire.replace(/^tcp:/, '').split(':');
  const acquirers = await Promise.all([1, 2, 3].map((i) => acceptingServer(`127.0.0.${i}`)));
  const targets = acquirers.map((a, i) => `    - { name: acquirer-${i + 1}, host: 127.0.0.${i + 1}, port: ${a.port}, tls: false, icmp: true }`).join('\n');
  const rig = await printerRig(
    '1s',
    `  - { id: terminal-1, driver: zvt, transport: { type: tcp, host: ${terminalHost}, port: ${terminalPort} } }
network:
  targets:
${targets}
`,
  );
  const pid = rig.agent.process.child.pid as number;
  try {
    await new Promise((r) => setTimeout(r, settleSeconds * 1000)); // past start-up, the first network rounds and GC cycles
    const cpuStart = await cpuSeconds(pid);
    const treeCpuStart = await treeCpuSeconds(pid);
    const wallStart = performance.now();
    const samples: number[] = [];
    const childrenRss: number[] = [];
    // CPU per slice of the window: shows whether the agent has settled (a falling series has not).
    const sliceSeconds = Math.max(1, Math.floor(seconds / 6));
    const slices: number[] = [];
    let sliceCpu = cpuStart;
    let sliceStarted = wallStart;
    for (let i = 1; i <= seconds; i += 1) {
      await new Promise((r) => setTimeout(r, 1_000));
      samples.push(await rssMb(pid));
      childrenRss.push(await childrenRssMb(pid));
      if (i % sliceSeconds === 0) {
        const now = await cpuSeconds(pid);
        slices.push(round(((now - sliceCpu) / ((performance.now() - sliceStarted) / 1000)) * 100, 2));
        sliceCpu = now;
        sliceStarted = performance.now();
      }
    }
    const cpu = (await cpuSeconds(pid)) - cpuStart;
    const treeCpu = (await treeCpuSeconds(pid)) - treeCpuStart;
    const wall = (performance.now() - wallStart) / 1000;
    const status = (await rig.agent.get('/api/v1/status')).body as { devices: Array<{ connected: boolean }>; network: { verdict: string } };
    return {
      name: 'steady_footprint_printer_terminal_3_targets',
      seconds,
      settleSeconds,
      devicesConnected: status.devices.filter((d) => d.connected).length,
      networkVerdict: status.network.verdict,
      rssMedianMb: round(percentile(samples, 50)),
      rssMaxMb: round(Math.max(...samples)),
      cpuPercentOfOneCore: round((cpu / wall) * 100, 3),
      cpuPercentBySlice: { sliceSeconds, percent: slices },
      // With the processes the agent runs (one `ping` per ICMP target address).
      childrenRssMedianMb: round(percentile(childrenRss, 50)),
      cpuPercentWithChildren: round((treeCpu / wall) * 100, 3),
      targetRssMb: 80,
      targetCpuPercent: 0.5,
    };
  } finally {
    await rig.close();
    await terminal.stop();
    for (const a of acquirers) a.close();
  }
}

/** A TCP listener on an address of 127.0.0.0/8 that accepts and closes, as an acquirer's port would answer a connect. */
async function acceptingServer(address: string): Promise<{ port: number; close(): void }> {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}

/** RSS over many polls as fast as the pty allows: a leak shows as growth. */
async function rssOverPolls(totalPolls: number) {
  const rig = await printerRig('1ms', '    requestTimeout: 200ms\n');
  const pid = rig.agent.process.child.pid as number;
  const checkpoints: Array<{ polls: number; rssMb: number; heapUsedMb: number; externalMb: number }> = [];
  const started = performance.now();
  try {
    const marks = [0.1, 0.25, 0.5, 0.75, 1].map((f) => Math.round(totalPolls * f));
    for (const mark of marks) {
      await waitFor(async () => (await device(rig.agent)).pollCount >= mark, 900_000, 200);
      const metrics = await (await fetch(`${rig.agent.url}/metrics`)).text();
      checkpoints.push({
        polls: (await device(rig.agent)).pollCount,
        rssMb: round(await rssMb(pid)),
        // Not after a GC: a leak shows as a rising floor across checkpoints, not as one high sample.
        heapUsedMb: round(gauge(metrics, 'posdiag_nodejs_heap_size_used_bytes') / 2 ** 20),
        externalMb: round(gauge(metrics, 'posdiag_nodejs_external_memory_bytes') / 2 ** 20),
      });
    }
  } finally {
    await rig.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const first = checkpoints[0]?.rssMb ?? NaN;
  const last = checkpoints.at(-1)?.rssMb ?? NaN;
  return {
    name: 'rss_over_polls',
    polls: totalPolls,
    pollsPerSecond: round(totalPolls / seconds, 0),
    checkpoints,
    growthFromFirstCheckpointMb: round(last - first),
  };
}

function gauge(metrics: string, name: string): number {
  const match = new RegExp(`^${name} ([0-9.e+]+)$`, 'm').exec(metrics);
  return match ? Number(match[1]) : NaN;
}

async function main() {
  const results: Record<string, unknown>[] = [];
  const benchStarted = performance.now();
  process.stderr.write('measuring the cost of a wake-up on this machine\n');
  const wakeupCost = {
    idleEvery100MsCpuUs: await wakeupCpuMicroseconds(100, quick ? 1 : 5),
    busyEvery1MsCpuUs: await wakeupCpuMicroseconds(1, quick ? 0.5 : 2),
  };
  let phaseStarted = performance.now();
  const log = (result: Record<string, unknown>) => {
    // Each phase's own wall time, set-up included, so a slow --quick run shows where it went.
    result.phaseWallSeconds = round((performance.now() - phaseStarted) / 1000, 1);
    phaseStarted = performance.now();
    results.push(result);
    process.stderr.write(`${JSON.stringify(result)}\n`);
  };
  if (wanted('detection')) {
    log(await detectionLatency(500, quick ? 10 : 40));
    log(await detectionLatency(1000, quick ? 6 : 30));
  }
  if (wanted('zvt-detection')) {
    log(await zvtDetectionLatency(1000, quick ? 5 : 40));
    log(await zvtDetectionLatency(500, quick ? 6 : 40));
  }
  if (wanted('footprint')) log(await steadyFootprint(quick ? 6 : 60, quick ? 8 : 15));
  if (wanted('polls')) {
    // RSS rises for the first ~25,000 polls while V8 sizes its heap, so a short run cannot tell a
    // leak from that: --quick runs this phase only when asked for by name.
    if (quick && only === null) log({ name: 'rss_over_polls', skipped: 'too short to mean anything in --quick: run `npm run bench -- --only polls`' });
    else log(await rssOverPolls(quick ? 20_000 : 100_000));
  }
  if (wanted('probes')) log(await probesSideBySide(quick ? 9 : 300));
  if (wanted('store')) log(await storeCost(quick));
  if (wanted('scale')) log(await scale(quick ? [1, 8] : [1, 8, 32, 64], quick ? 4 : 30, quick ? 3 : 20, quick ? 3 : 15));
  if (wanted('http')) {
    const rig = await printerRig('1s');
    try {
      log(await httpLoad(rig.agent, 200, quick ? 3 : 15));
    } finally {
      await rig.close();
    }
  }
  if (wanted('passthrough')) log(await passthroughBench(quick ? 300 : 2_000, quick ? 4 * 2 ** 20 : 16 * 2 ** 20, quick ? 1 : 10));
  const wallSeconds = round((performance.now() - benchStarted) / 1000, 1);
  process.stdout.write(`${JSON.stringify({ quick, machine: { ...machine(), wakeupCost }, at: new Date().toISOString(), wallSeconds, results }, null, 2)}\n`);
}

await main();
