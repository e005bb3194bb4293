/**
 * Host checks: free disk of the data directory, memory, clock sanity, CPU. Nothing here blocks
 * the event loop: statfs and /proc/meminfo (systeminformation's mem(), a plain async read) are
 * asynchronous, os.cpus()/loadavg() are single syscalls. systeminformation's currentLoad (an
 * execSync, and a 0.5 s first call) and cpuTemperature (execSync) are not used.
 *
 * CPU busy % and clock jumps compare with the previous call, kept in `HostHistory`; keep one for
 * the agent's life.
 */
import { readFile, statfs } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import type { LayerResultBase } from './types.js';

export interface HostOptions {
  dataDir: string;
  minFreeDiskBytes: number;
  minFreeDiskPercent: number;
  minAvailableMemoryPercent: number;
  maxCpuBusyPercent: number;
  /**
   * The shortest window (ms of wall time) a CPU busy share is judged on. A check run right after
   * another ("check now", the daily self-check) would otherwise judge a few milliseconds, in
   * which the agent's own work is often all there is: 100 % busy. Shorter: the older baseline stays.
   */
  minCpuSampleMs: number;
  /** A wall clock before this (ms since epoch) is a reset clock (dead CMOS battery). */
  earliestPlausibleTime: number;
  /** Wall clock moving this much more or less than the monotonic clock between checks is a jump. */
  maxClockJumpMs: number;
}

export const DEFAULT_HOST_OPTIONS: Readonly<Omit<HostOptions, 'dataDir'>> = Object.freeze({
  minFreeDiskBytes: 500 * 1024 * 1024,
  minFreeDiskPercent: 5,
  minAvailableMemoryPercent: 5,
  maxCpuBusyPercent: 95,
  minCpuSampleMs: 1_000,
  earliestPlausibleTime: Date.UTC(2025, 0, 1),
  maxClockJumpMs: 120_000,
});

export interface CpuTimes {
  busy: number;
  total: number;
}

export interface HostHistory {
  cpu?: CpuTimes;
  clock?: { wallMs: number; monoMs: number };
}

export interface HostDeps {
  now(): number;
  monotonic(): number;
  statfs(path: string): Promise<{ bsize: number; blocks: number; bavail: number }>;
  memory(): Promise<{ total: number; available: number }>;
  cpuTimes(): CpuTimes;
  loadavg(): number[];
  cores(): number;
  history: HostHistory;
}

export interface DiskResult extends LayerResultBase<'disk'> {
  path: string;
  freeBytes: number | null;
  totalBytes: number | null;
  freePercent: number | null;
}
export interface MemoryResult extends LayerResultBase<'memory'> {
  totalBytes: number | null;
  availableBytes: number | null;
  availablePercent: number | null;
}
export interface ClockResult extends LayerResultBase<'clock'> {
  wallTime: string;
  /** Wall-clock step since the previous check beyond monotonic time, ms (+ forward). */
  jumpMs: number | null;
}
export interface CpuResult extends LayerResultBase<'cpu'> {
  cores: number;
  load1: number | null;
  /** Busy share of all cores since the previous check; null on the first. */
  busyPercent: number | null;
}

export interface HostResult {
  ok: boolean;
  checkedAt: string;
  durationMs: number;
  checks: [DiskResult, MemoryResult, ClockResult, CpuResult];
  /** 'host.resources' when any check failed. */
  conditions: 'host.resources'[];
}

export function cpuTimesNow(): CpuTimes {
  let busy = 0;
  let total = 0;
  for (const c of cpus()) {
    const t = c.times;
    busy += t.user + t.nice + t.sys + t.irq;
    total += t.user + t.nice + t.sys + t.irq + t.idle;
  }
  return { busy, total };
}

export function createHostDeps(overrides: Partial<HostDeps> = {}): HostDeps {
  return {
    now: () => Date.now(),
    monotonic: () => performance.now(),
    statfs: (path) => statfs(path),
    memory: readMemory,
    cpuTimes: cpuTimesNow,
    loadavg,
    cores: () => cpus().length,
    history: {},
    ...overrides,
  };
}

/**
 * Total and available memory. On Linux straight from /proc/meminfo (MemAvailable, what the kernel
 * would give without swapping: the same file systeminformation reads). Elsewhere through
 * systeminformation, loaded only there: it costs about 10 MB of RSS on a PC where every MB counts.
 */
const memoryMethod = process.platform === 'linux' ? 'meminfo' : 'systeminformation';

async function readMemory(): Promise<{ total: number; available: number }> {
  if (process.platform === 'linux') {
    const text = await readFile('/proc/meminfo', 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
    const total = kb('MemTotal');
    const available = kb('MemAvailable');
    if (Number.isFinite(total) && Number.isFinite(available)) return { total, available };
  }
  const { default: si } = await import('systeminformation');
  const m = await si.mem();
  return { total: m.total, available: m.available };
}

const pct = (part: number, whole: number): number => Math.round((part / whole) * 10_000) / 100;
const timed = async <T>(deps: HostDeps, fn: () => Promise<T>): Promise<[T, number]> => {
  const t0 = deps.monotonic();
  const value = await fn();
  return [value, Math.round((deps.monotonic() - t0) * 1000) / 1000];
};

async function checkDisk(o: HostOptions, deps: HostDeps): Promise<DiskResult> {
  const base = { layer: 'disk' as const, method: 'statfs' as const, path: o.dataDir };
  const [stats, durationMs] = await timed(deps, () => deps.statfs(o.dataDir).catch((error: NodeJS.ErrnoException) => error));
  if (stats instanceof Error) {
    return { ...base, ok: false, durationMs, code: stats.code ?? 'EUNKNOWN', reason: `cannot read free space of ${o.dataDir}: ${stats.message}`, freeBytes: null, totalBytes: null, freePercent: null };
  }
  const freeBytes = stats.bavail * stats.bsize;
  const totalBytes = stats.blocks * stats.bsize;
  const freePercent = totalBytes > 0 ? pct(freeBytes, totalBytes) : 0;
  const ok = freeBytes >= o.minFreeDiskBytes && freePercent >= o.minFreeDiskPercent;
  const mb = (b: number): number => Math.round(b / 1024 / 1024);
  const reason = ok ? null : `disk almost full: ${mb(freeBytes)} MB (${freePercent}%) free in ${o.dataDir}`;
  return { ...base, ok, durationMs, code: ok ? null : 'DISK_LOW', reason, freeBytes, totalBytes, freePercent };
}

async function checkMemory(o: HostOptions, deps: HostDeps): Promise<MemoryResult> {
  const [m, durationMs] = await timed(deps, () => deps.memory().catch((error: Error) => error));
  if (m instanceof Error) {
    return { layer: 'memory', method: memoryMethod, ok: false, durationMs, code: 'EUNKNOWN', reason: `cannot read memory use: ${m.message}`, totalBytes: null, availableBytes: null, availablePercent: null };
  }
  const availablePercent = m.total > 0 ? pct(m.available, m.total) : 0;
  const ok = availablePercent >= o.minAvailableMemoryPercent;
  return {
    layer: 'memory',
    method: memoryMethod,
    ok,
    durationMs,
    code: ok ? null : 'MEMORY_LOW',
    reason: ok ? null : `memory pressure: only ${availablePercent}% available`,
    totalBytes: m.total,
    availableBytes: m.available,
    availablePercent,
  };
}

/** Pure: wall clock plausibility and jumps against the monotonic clock. */
export function checkClock(o: HostOptions, wallMs: number, monoMs: number, history: HostHistory): ClockResult {
  const previous = history.clock;
  history.clock = { wallMs, monoMs };
  const jumpMs = previous === undefined ? null : Math.round(wallMs - previous.wallMs - (monoMs - previous.monoMs));
  const base = { layer: 'clock' as const, method: 'clock' as const, durationMs: 0, wallTime: new Date(wallMs).toISOString(), jumpMs };
  if (wallMs < o.earliestPlausibleTime) {
    return { ...base, ok: false, code: 'CLOCK_IMPLAUSIBLE', reason: `system clock reads ${base.wallTime}: it has been reset (check the date and time settings)` };
  }
  if (jumpMs !== null && Math.abs(jumpMs) > o.maxClockJumpMs) {
    const s = Math.round(jumpMs / 1000);
    return { ...base, ok: false, code: 'CLOCK_JUMP', reason: `system clock jumped ${s > 0 ? 'forward' : 'back'} by ${Math.abs(s)} s since the last check` };
  }
  return { ...base, ok: true, code: null, reason: null };
}

/** Pure: CPU busy share since the previous sample. */
export function checkCpu(o: HostOptions, now: CpuTimes, load: number[], cores: number, history: HostHistory): CpuResult {
  const previous = history.cpu;
  const dTotal = previous === undefined ? 0 : now.total - previous.total;
  // os.cpus() times add up over all cores: a window of W ms is about W × cores of them.
  const tooShort = previous !== undefined && dTotal < o.minCpuSampleMs * Math.max(1, cores);
  if (!tooShort) history.cpu = now;
  const busyPercent = previous === undefined || dTotal <= 0 || tooShort ? null : pct(now.busy - previous.busy, dTotal);
  const ok = busyPercent === null || busyPercent < o.maxCpuBusyPercent;
  return {
    layer: 'cpu',
    method: 'os.cpus',
    ok,
    durationMs: 0,
    code: ok ? null : 'CPU_BUSY',
    reason: ok ? null : `CPU ${busyPercent}% busy since the last check`,
    cores,
    load1: load[0] ?? null,
    busyPercent,
  };
}

export async function probeHost(options: Partial<HostOptions> & { dataDir: string }, deps: Partial<HostDeps> = {}): Promise<HostResult> {
  const o: HostOptions = { ...DEFAULT_HOST_OPTIONS, ...options };
  const d = createHostDeps(deps);
  const t0 = d.monotonic();
  const [disk, memory] = await Promise.all([checkDisk(o, d), checkMemory(o, d)]);
  const clock = checkClock(o, d.now(), d.monotonic(), d.history);
  const cpu = checkCpu(o, d.cpuTimes(), d.loadavg(), d.cores(), d.history);
  const checks: HostResult['checks'] = [disk, memory, clock, cpu];
  const ok = checks.every((c) => c.ok);
  return {
    ok,
    checkedAt: clock.wallTime,
    durationMs: Math.round((d.monotonic() - t0) * 1000) / 1000,
    checks,
    conditions: ok ? [] : ['host.resources'],
  };
}
