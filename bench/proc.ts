import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';

/** Resident set size of a process in MB, from /proc (what `top` shows as RES). */
export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** CPU time (user + system) a process has used so far, in seconds. */
export async function cpuSeconds(pid: number): Promise<number> {
  const fields = await statFields(pid);
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100; // USER_HZ is 100 on Linux
}

/**
 * CPU time of a process and everything under it: its own, its waited-for children's (cutime +
 * cstime) and that of its children still running, such as the long-running `ping` the agent keeps
 * per address, which the first two never include.
 */
export async function treeCpuSeconds(pid: number): Promise<number> {
  let total = (await cpuSeconds(pid)) + (await waitedChildrenCpuSeconds(pid));
  for (const child of await childPids(pid)) total += await treeCpuSeconds(child).catch(() => 0);
  return total;
}

/** CPU time of the children `pid` has waited for (cutime + cstime), in seconds. */
export async function waitedChildrenCpuSeconds(pid: number): Promise<number> {
  const fields = await statFields(pid);
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** CPU time of the children of `pid` still running (their own, not their children's), in seconds. */
export async function runningChildrenCpuSeconds(pid: number): Promise<number> {
  let total = 0;
  for (const child of await childPids(pid)) total += await cpuSeconds(child).catch(() => 0);
  return total;
}

/** Summed RSS (MB) of the processes running under `pid`, not counting `pid` itself. */
export async function childrenRssMb(pid: number): Promise<number> {
  let total = 0;
  for (const child of await childPids(pid)) total += (await rssMb(child).catch(() => 0)) + (await childrenRssMb(child));
  return total;
}

async function childPids(pid: number): Promise<number[]> {
  const children: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = await statFields(Number(entry)).catch(() => null);
    if (fields && Number(fields[1]) === pid) children.push(Number(entry));
  }
  return children;
}

async function statFields(pid: number): Promise<string[]> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at ") ".
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

export function machine() {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    kernel: os.release(),
    load1AtStart: os.loadavg()[0],
  };
}

/**
 * CPU one wake-up of an idle Node process costs on this machine: a bare process whose only work is
 * an empty timer every `intervalMs`. On a VM a wake-up after idle pays for cold caches and the
 * hypervisor's exit from halt, and an agent that polls a few devices a second spends most of its
 * CPU there, so this is the yardstick to read its CPU figures against across machines.
 */
export function wakeupCpuMicroseconds(intervalMs: number, seconds: number): Promise<number> {
  const script = `setInterval(() => {}, ${intervalMs});
const cpu0 = process.cpuUsage(); const wall0 = performance.now();
setTimeout(() => {
  const cpu = process.cpuUsage(cpu0);
  const wakeups = (performance.now() - wall0) / ${intervalMs};
  process.stdout.write(String((cpu.user + cpu.system) / wakeups));
  process.exit(0);
}, ${seconds * 1000});`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script], (error, stdout) => (error ? reject(error) : resolve(round(Number(stdout), 1))));
  });
}

export const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
