/**
 * Runs one kind of probe N times in a row and reports its CPU cost, measured inside this process
 * (user + system of node itself, plus its children: only `ping` processes). Spawned by
 * bench/probes.ts so start-up cost is not counted.
 * `icmp-stream` is the daemon's way: one long-running ping, each round taking the echoes that
 * arrived since the last; its cost is counted per echo (the ping child's CPU read from /proc
 * before it is stopped). With N echoes per probe, rounds are N echo spacings apart, so each
 * takes about N echoes, as the daemon's rounds do (3 echoes spread over the round interval).
 * Usage: node probe-worker.js <tcp|icmp|icmp-stream> <host> <port> <count> [echoes per ICMP probe, default 1]
 */
import { createPinger } from '../src/probes/ping.js';
import { createStreamingPinger } from '../src/probes/ping-stream.js';
import { createProbeDeps, probeIcmp, probeTcp, resolveProbeOptions } from '../src/probes/index.js';
import { runningChildrenCpuSeconds, waitedChildrenCpuSeconds } from './proc.js';

const [kind, host, portText, countText, echoesText] = process.argv.slice(2);
const echoes = Number(echoesText ?? 1);
const port = Number(portText);
const count = Number(countText);
if ((kind !== 'tcp' && kind !== 'icmp' && kind !== 'icmp-stream') || !host || !port || !count) {
  throw new Error('usage: probe-worker <tcp|icmp|icmp-stream> host port count');
}

const options = resolveProbeOptions({ timeoutMs: 2_000, icmpCount: echoes });
// 200 ms: the smallest spacing iputils allows an unprivileged user.
const spacingMs = 200;
const stream = kind === 'icmp-stream' ? createStreamingPinger({ spacingMs, fallback: createPinger() }) : null;
const deps = createProbeDeps(stream ? { ping: stream.ping } : {});
const target = { name: 'bench', host, port, tls: false, icmp: kind === 'icmp' };
const probe = kind === 'tcp' ? probeTcp : probeIcmp;
let echoesSent = 0;
const probeOnce = () => probe({ options, deps, signal: AbortSignal.timeout(10_000), target, address: host });
const run = async () => {
  if (stream && echoes > 1) await new Promise((resolve) => setTimeout(resolve, echoes * spacingMs));
  return probeOnce();
};

let warmupEchoes = 0;
// Warm-up (JIT, first spawns): 20 rounds, fewer for a short (--quick) count, whose rounds of
// 3 echoes take 0.4 s each.
for (let i = 0; i < Math.min(20, count); i += 1) {
  const result = await run();
  if ('sent' in result) warmupEchoes += result.sent;
}
const cpu0 = process.cpuUsage();
const child0 = await waitedChildrenCpuSeconds(process.pid);
const wall0 = performance.now();
let failures = 0;
for (let i = 0; i < count; i += 1) {
  const result = await run();
  if (!result.ok) failures += 1;
  if ('sent' in result) echoesSent += result.sent;
}
const wallMs = performance.now() - wall0;
const cpu = process.cpuUsage(cpu0);
// A stream's ping has run since the warm-up: its CPU over the measured rounds is prorated by echoes.
const streamMs = stream ? (await runningChildrenCpuSeconds(process.pid)) * 1000 * (echoesSent / (echoesSent + warmupEchoes)) : 0;
stream?.close();
const childMs = ((await waitedChildrenCpuSeconds(process.pid)) - child0) * 1000 + streamMs;
const cpuMs = (cpu.user + cpu.system) / 1000;
process.stdout.write(`${JSON.stringify({ kind, count, echoes, echoesSent, failures, wallMs, cpuMs, childCpuMs: childMs })}\n`);
