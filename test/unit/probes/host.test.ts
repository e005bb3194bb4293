import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_HOST_OPTIONS, checkClock, checkCpu, probeHost, type HostDeps, type HostHistory } from '../../../src/probes/host.js';

const o = { ...DEFAULT_HOST_OPTIONS, dataDir: '/data' };
const NOW = Date.UTC(2026, 10, 23, 12);

describe('checkClock', () => {
  it('a clock before the plausible floor has been reset', () => {
    const r = checkClock(o, Date.UTC(2000, 0, 1), 0, {});
    expect(r).toMatchObject({ ok: false, code: 'CLOCK_IMPLAUSIBLE', jumpMs: null });
    expect(r.reason).toBe('system clock reads 2000-01-01T00:00:00.000Z: it has been reset (check the date and time settings)');
  });

  it('detects a step of the wall clock against the monotonic clock, either way', () => {
    const history: HostHistory = {};
    expect(checkClock(o, NOW, 1_000, history).ok).toBe(true);
    expect(checkClock(o, NOW + 10_000, 11_000, history)).toMatchObject({ ok: true, jumpMs: 0 });
    expect(checkClock(o, NOW + 10_000 + 10_000 + 600_000, 21_000, history)).toMatchObject({
      ok: false,
      code: 'CLOCK_JUMP',
      jumpMs: 600_000,
      reason: 'system clock jumped forward by 600 s since the last check',
    });
    expect(checkClock(o, NOW, 31_000, history).reason).toBe('system clock jumped back by 630 s since the last check');
  });
});

describe('checkCpu', () => {
  it('busy share between two samples; none on the first', () => {
    const history: HostHistory = {};
    expect(checkCpu(o, { busy: 100, total: 1_000 }, [0.5], 2, history)).toMatchObject({ ok: true, busyPercent: null, load1: 0.5, cores: 2 });
    expect(checkCpu(o, { busy: 1_100, total: 3_000 }, [0.5], 2, history)).toMatchObject({ ok: true, busyPercent: 50 });
    expect(checkCpu(o, { busy: 3_080, total: 5_000 }, [3], 2, history)).toMatchObject({ ok: false, code: 'CPU_BUSY', busyPercent: 99, reason: 'CPU 99% busy since the last check' });
  });

  it('judges no window shorter than minCpuSampleMs, and keeps the older baseline for the next check', () => {
    const history: HostHistory = {};
    checkCpu(o, { busy: 0, total: 0 }, [0], 2, history);
    // 20 ms later on 2 cores, all of it the agent's own work: not "100 % busy".
    expect(checkCpu(o, { busy: 40, total: 40 }, [0], 2, history)).toMatchObject({ ok: true, busyPercent: null });
    expect(checkCpu(o, { busy: 1_000, total: 4_000 }, [0], 2, history)).toMatchObject({ ok: true, busyPercent: 25 });
  });
});

function fakeDeps(over: Partial<HostDeps> = {}): Partial<HostDeps> {
  let mono = 0;
  return {
    now: () => NOW,
    monotonic: () => (mono += 1),
    statfs: async () => ({ bsize: 4096, blocks: 1_000_000, bavail: 500_000 }),
    memory: async () => ({ total: 4e9, available: 2e9 }),
    cpuTimes: () => ({ busy: 0, total: 0 }),
    loadavg: () => [0.1, 0.1, 0.1],
    cores: () => 2,
    history: {},
    ...over,
  };
}

describe('probeHost with injected readings', () => {
  it('all fine: ok, no condition', async () => {
    const r = await probeHost({ dataDir: '/data' }, fakeDeps());
    expect(r).toMatchObject({ ok: true, conditions: [] });
    expect(r.checks.map((c) => c.layer)).toEqual(['disk', 'memory', 'clock', 'cpu']);
    expect(r.checks[0]).toMatchObject({ method: 'statfs', freeBytes: 2_048_000_000, freePercent: 50 });
  });

  it('disk almost full → host.resources with the numbers', async () => {
    const r = await probeHost({ dataDir: '/data' }, fakeDeps({ statfs: async () => ({ bsize: 4096, blocks: 1_000_000, bavail: 20_000 }) }));
    expect(r).toMatchObject({ ok: false, conditions: ['host.resources'] });
    expect(r.checks[0]).toMatchObject({ ok: false, code: 'DISK_LOW', reason: 'disk almost full: 78 MB (2%) free in /data' });
  });

  it('a missing data directory is reported, not thrown', async () => {
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, statfs '/nope'"), { code: 'ENOENT' });
    const r = await probeHost({ dataDir: '/nope' }, fakeDeps({ statfs: async () => Promise.reject(enoent) }));
    expect(r.checks[0]).toMatchObject({ ok: false, code: 'ENOENT', freeBytes: null });
  });

  it('memory pressure', async () => {
    const r = await probeHost({ dataDir: '/data' }, fakeDeps({ memory: async () => ({ total: 4e9, available: 1e8 }) }));
    expect(r.checks[1]).toMatchObject({ ok: false, code: 'MEMORY_LOW', availablePercent: 2.5 });
  });
});

describe('probeHost on this machine', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'posdiag-host-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads statfs, memory, clock and CPU of this machine', async () => {
    const history: HostHistory = {};
    const first = await probeHost({ dataDir: dir }, { history });
    const second = await probeHost({ dataDir: dir }, { history });
    const [disk, memory, clock, cpu] = second.checks;
    expect(disk.totalBytes).toBeGreaterThan(0);
    expect(memory.totalBytes).toBeGreaterThan(0);
    expect(memory.availablePercent).toBeGreaterThan(0);
    expect(clock).toMatchObject({ ok: true });
    expect(Math.abs(clock.jumpMs!)).toBeLessThan(1_000);
    expect(first.checks[3].busyPercent).toBeNull();
    expect(cpu.cores).toBeGreaterThan(0);
  });
});
