/**
 * HTTP under load: `/metrics` and `/api/v1/status` of an agent with one printer on a pty, hit at
 * a steady 200 requests/s from a separate process, then as fast as it answers.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, round } from './proc.js';
import type { AgentUnderTest } from '../test/helpers/agent.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export async function httpLoad(agent: AgentUnderTest, rate: number, seconds: number) {
  const pid = agent.process.child.pid as number;
  const rows = [];
  for (const route of ['/metrics', '/api/v1/status']) {
    const cpu0 = await cpuSeconds(pid);
    const worker = spawnSync(process.execPath, [path.join(here, 'http-load-worker.js'), `${agent.url}${route}`, String(rate), String(seconds), '8'], {
      encoding: 'utf8',
    });
    if (worker.status !== 0) throw new Error(`load worker failed: ${worker.stderr}`);
    const result = JSON.parse(worker.stdout) as { requests: number; errors: number; p50Ms: number; p99Ms: number; maxMs: number; throughputPerSecond: number };
    rows.push({
      route,
      ratePerSecond: rate,
      requests: result.requests,
      errors: result.errors,
      p50Ms: round(result.p50Ms, 3),
      p99Ms: round(result.p99Ms, 3),
      maxMs: round(result.maxMs, 3),
      throughputPerSecond: round(result.throughputPerSecond, 0),
      agentCpuSeconds: round((await cpuSeconds(pid)) - cpu0, 2),
    });
  }
  return { name: 'http_under_load', rows, targetMetricsP99Ms: 5 };
}
