/**
 * ZVT detection latency: a fault switched in a terminal simulator process → the condition visible
 * in /api/v1/status, over a socat pty pair with the simulator pacing its port at 9600 baud
 * (`posdiag simulate zvt --pace`; a bare pty has no line speed). Also counts the exchanges per
 * poll from the agent's debug log (target: one) and the time of one poll at that speed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findSocat, openPtyPair } from '../src/transport/pty-pair.js';
import { startAgentProcess } from '../test/helpers/agent.js';
import { startSimulatorProcess } from '../test/helpers/simulator.js';
import { percentile, round } from './proc.js';

const deviceId = 'terminal-1';
const condition = 'terminal.tamper';

export async function zvtDetectionLatency(pollIntervalMs: number, samples: number) {
  const socat = await findSocat();
  if (!socat) throw new Error('the benchmark needs socat (apt-get install socat)');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-bench-zvt-'));
  const pair = await openPtyPair(socat, path.join(dir, 'host'), path.join(dir, 'device'));
  const simulator = await startSimulatorProcess('zvt', ['--port', pair.devicePath], ['--pace']);
  const agent = await startAgentProcess(`
http: { listen: 127.0.0.1:0 }
storage: { dir: ${dir}/data }
log: { level: debug, format: json }
devices:
  - id: ${deviceId}
    driver: zvt
    transport: { type: serial, path: ${pair.hostPath}, baudRate: 9600 }
    pollInterval: ${pollIntervalMs}ms
    requestTimeout: 1s
`);
  const conditions = async () => (await agent.get('/api/v1/status')).body.devices[0].conditions as string[];
  const latencies: number[] = [];
  try {
    await waitFor(async () => (await agent.get(`/api/v1/devices/${deviceId}`)).body.serial !== null);
    const pollsBefore = (await agent.get(`/api/v1/devices/${deviceId}`)).body.pollCount as number;
    const sentBefore = statusEnquiriesSent(agent.process.lines);
    for (let i = 0; i < samples; i += 1) {
      const tamper = i % 2 === 0;
      // Switch at a random phase of the poll cycle, as a real fault would happen.
      await new Promise((r) => setTimeout(r, Math.random() * pollIntervalMs));
      const started = performance.now();
      await simulator.setFaults({ tamper });
      await waitFor(async () => (await conditions()).includes(condition) === tamper);
      latencies.push(performance.now() - started);
    }
    const device = (await agent.get(`/api/v1/devices/${deviceId}`)).body;
    const polls = (device.pollCount as number) - pollsBefore;
    const exchanges = statusEnquiriesSent(agent.process.lines) - sentBefore;
    const metrics = await (await fetch(`${agent.url}/metrics`)).text();
    const pollSeconds = histogramMean(metrics, 'posdiag_poll_duration_seconds', `device="${deviceId}",answered="true"`);
    return {
      name: `zvt_detection_latency_${pollIntervalMs}ms`,
      wire: 'socat pty, simulator paced at 9600 baud 8N1',
      pollIntervalMs,
      samples,
      p50Ms: round(percentile(latencies, 50)),
      p99Ms: round(percentile(latencies, 99)),
      maxMs: round(Math.max(...latencies)),
      targetP99Ms: pollIntervalMs + 100,
      polls,
      // The poll in flight at the end may have sent its Status-Enquiry without being counted yet.
      statusEnquiriesPerPoll: round(exchanges / polls, 2),
      meanPollMs: pollSeconds === null ? null : round(pollSeconds * 1000),
      latenciesMs: process.env.BENCH_VERBOSE ? latencies.map((l) => round(l)) : undefined,
    };
  } finally {
    await agent.stop();
    await simulator.stop();
    await pair.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function statusEnquiriesSent(lines: readonly Record<string, unknown>[]): number {
  return lines.filter((l) => l.msg === 'zvt tx Status-Enquiry 05 01').length;
}

function histogramMean(text: string, name: string, labels: string): number | null {
  const value = (suffix: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}_${suffix}{${labels}}`));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : null;
  };
  const sum = value('sum');
  const count = value('count');
  return sum === null || !count ? null : sum / count;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000, everyMs = 2): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error('timed out');
}
