/**
 * Runs one kind of probe N times in a row and reports its CPU cost, measured inside this process
 * (user + system of node itself, plus the `ping` children it waited for). Spawned by
 * bench/probes.ts so start-up cost is not counted.
 * Usage: node probe-worker.js <tcp|icmp> <host> <port> <count> [echoes per ICMP probe, default 1]
 */
import { readFile } from 'node:fs/promises';
import { createProbeDeps, probeIcmp, probeTcp, resolveProbeOptions } from '../src/probes/index.js';

const [kind, host, portText, countText, echoesText] = process.argv.slice(2);
const echoes = Number(echoesText ?? 1);
const port = Number(portText);
const count = Number(countText);
if ((kind !== 'tcp' && kind !== 'icmp') || !host || !port || !count) throw new Error('usage: probe-worker <tcp|icmp> host port count');

/** CPU seconds of waited-for children (ping), from /proc/self/stat cutime + cstime. */
async function childCpuSeconds(): Promise<number> {
  const stat = await readFile('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

const options = resolveProbeOptions({ timeoutMs: 2_000, icmpCount: echoes });
const deps = createProbeDeps();
const target = { name: 'bench', host, port, tls: false, icmp: kind === 'icmp' };
const probe = kind === 'tcp' ? probeTcp : probeIcmp;
const run = () => probe({ options, deps, signal: AbortSignal.timeout(10_000), target, address: host });

for (let i = 0; i < 20; i += 1) await run(); // warm-up: JIT, first spawns
const cpu0 = process.cpuUsage();
const child0 = await childCpuSeconds();
const wall0 = performance.now();
let failures = 0;
for (let i = 0; i < count; i += 1) {
  const result = await run();
  if (!result.ok) failures += 1;
}
const wallMs = performance.now() - wall0;
const cpu = process.cpuUsage(cpu0);
const childMs = ((await childCpuSeconds()) - child0) * 1000;
process.stdout.write(`${JSON.stringify({ kind, count, echoes, failures, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, childCpuMs: childMs })}\n`);
