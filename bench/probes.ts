/**
 * Probe cost side by side with Debian's prometheus-blackbox-exporter, on the same loopback
 * targets in the same run: CPU time per TCP connect probe and per ICMP probe (one echo each).
 * blackbox_exporter's cost is read from /proc for its process around N sequential /probe
 * requests (so it includes its HTTP handling, which is how it is always used); ours is measured
 * inside a worker process around N sequential probe calls.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, round } from './proc.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export async function probesSideBySide(count: number) {
  const blackbox = spawnSync('sh', ['-c', 'command -v prometheus-blackbox-exporter']).stdout.toString().trim();
  if (!blackbox) return { name: 'probes_vs_blackbox_exporter', skipped: 'prometheus-blackbox-exporter is not installed (apt-get install prometheus-blackbox-exporter)' };

  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-bb-'));
  const config = path.join(dir, 'blackbox.yml');
  await writeFile(
    config,
    ['modules:', '  tcp:', '    prober: tcp', '    timeout: 2s', '  icmp:', '    prober: icmp', '    timeout: 2s', '    icmp:', '      preferred_ip_protocol: ip4', ''].join('\n'),
  );
  const listen = await freePort();
  const exporter = spawn(blackbox, [`--config.file=${config}`, `--web.listen-address=127.0.0.1:${listen}`], { stdio: 'ignore' });
  try {
    await waitForHttp(`http://127.0.0.1:${listen}/-/healthy`);
    const results: Array<Record<string, unknown> & { blackboxCpuMsPerProbe?: number }> = [];
    // One-shot probes take a few ms each: at least 100 of them, so that the CPU /proc counts in
    // 10 ms ticks (blackbox_exporter's, the ping children's) adds up to more than a tick or two.
    const oneShotCount = Math.max(count, 100);
    for (const kind of ['tcp', 'icmp'] as const) {
      const target = kind === 'tcp' ? `127.0.0.1:${port}` : '127.0.0.1';
      const theirs = await blackboxCost(exporter.pid as number, `http://127.0.0.1:${listen}/probe?module=${kind}&target=${target}`, oneShotCount);
      const ours = await workerCost(kind, port, oneShotCount);
      results.push({
        kind,
        probes: oneShotCount,
        blackboxCpuMsPerProbe: round(theirs.cpuMsPerProbe, 3),
        blackboxWallMsPerProbe: round(theirs.wallMsPerProbe, 3),
        posdiagCpuMsPerProbe: round(ours.cpuMsPerProbe, 3),
        posdiagWallMsPerProbe: round(ours.wallMsPerProbe, 3),
        cpuRatio: round(ours.cpuMsPerProbe / theirs.cpuMsPerProbe, 2),
        posdiagFailures: ours.failures,
        targetRatio: 1.5,
      });
    }
    // posdiag's rounds send 3 echoes per ping run by default: the spawn is shared by 3 echoes.
    const batched = await workerCost('icmp', port, Math.ceil(count / 3), 3);
    // The daemon keeps one ping running per address (src/probes/ping-stream.ts); its rounds take
    // 3 echoes each (spread over the round interval). One echo per round shows the round's own
    // cost on every echo.
    for (const echoesPerRound of [3, 1]) {
      const streamed = await workerCost('icmp-stream', port, Math.ceil(count / echoesPerRound), echoesPerRound);
      results.push({
        kind: echoesPerRound === 1 ? 'icmp_streaming_per_echo_1_per_round' : 'icmp_streaming_per_echo_3_per_round',
        probes: Math.ceil(count / echoesPerRound),
        echoes: streamed.echoes,
        posdiagCpuMsPerEcho: round(streamed.cpuMsPerEcho, 3),
        cpuRatioPerEcho: round(streamed.cpuMsPerEcho / (results[1]?.blackboxCpuMsPerProbe ?? NaN), 2),
        posdiagFailures: streamed.failures,
        targetRatio: 1.5,
      });
    }
    results.push({
      kind: 'icmp_per_echo_3_per_round',
      probes: Math.ceil(count / 3),
      posdiagCpuMsPerEcho: round(batched.cpuMsPerProbe / 3, 3),
      cpuRatioPerEcho: round(batched.cpuMsPerProbe / 3 / (results[1]?.blackboxCpuMsPerProbe ?? NaN), 2),
      targetRatio: 1.5,
    });
    return { name: 'probes_vs_blackbox_exporter', results };
  } finally {
    exporter.kill('SIGTERM');
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function blackboxCost(pid: number, url: string, count: number) {
  for (let i = 0; i < 20; i += 1) await (await fetch(url)).text();
  const cpu0 = await cpuSeconds(pid);
  const wall0 = performance.now();
  for (let i = 0; i < count; i += 1) {
    const body = await (await fetch(url)).text();
    if (!/probe_success 1/.test(body)) throw new Error(`blackbox probe failed: ${body.slice(0, 200)}`);
  }
  const wallMs = performance.now() - wall0;
  const cpuMs = ((await cpuSeconds(pid)) - cpu0) * 1000;
  return { cpuMsPerProbe: cpuMs / count, wallMsPerProbe: wallMs / count };
}

async function workerCost(kind: 'tcp' | 'icmp' | 'icmp-stream', port: number, count: number, echoes = 1) {
  const worker = spawnSync(process.execPath, [path.join(here, 'probe-worker.js'), kind, '127.0.0.1', String(port), String(count), String(echoes)], {
    encoding: 'utf8',
  });
  if (worker.status !== 0) throw new Error(`probe worker failed: ${worker.stderr}`);
  const result = JSON.parse(worker.stdout) as { cpuMs: number; childCpuMs: number; wallMs: number; failures: number; echoesSent: number };
  return {
    cpuMsPerProbe: (result.cpuMs + result.childCpuMs) / count,
    cpuMsPerEcho: (result.cpuMs + result.childCpuMs) / Math.max(1, result.echoesSent),
    echoes: result.echoesSent,
    wallMsPerProbe: result.wallMs / count,
    failures: result.failures,
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not come up`);
}
