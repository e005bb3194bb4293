/**
 * The outbound heartbeat against the real Pushgateway from Debian, on loopback: a real
 * `posdiag run` process pushes its series; the Pushgateway is stopped (the agent logs the outage
 * once) and started again, empty, and the series come back; a stopped agent leaves posdiag_up 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentUnderTest, startAgentProcess } from '../helpers/agent.js';
import { freePort } from '../helpers/ports.js';
import { requireTool } from '../helpers/tools.js';
import { waitUntil } from '../helpers/wait.js';

const INTERVAL_MS = 300;

describe('heartbeat to the real Pushgateway', () => {
  let pushgatewayBin: string;
  let port: number;
  let pushgateway: ChildProcess | null = null;
  let agent: AgentUnderTest;
  let baseUrl: string;

  const startPushgateway = async () => {
    // No persistence file: a restarted Pushgateway is empty, so series seen after a restart
    // were pushed after it.
    pushgateway = spawn(pushgatewayBin, [`--web.listen-address=127.0.0.1:${port}`, '--persistence.file=', '--log.level=warn'], { stdio: 'ignore' });
    await waitUntil(() => fetch(`${baseUrl}/-/ready`).then((r) => r.status), (s) => s === 200, { what: 'pushgateway ready', everyMs: 100 });
  };
  const stopPushgateway = async () => {
    const child = pushgateway;
    pushgateway = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  /** The agent's series in the Pushgateway's own /metrics (what Prometheus would scrape). */
  const series = async (name: string) => {
    const text = await (await fetch(`${baseUrl}/metrics`)).text();
    return text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
  };

  beforeAll(async () => {
    pushgatewayBin = requireTool('prometheus-pushgateway', 'prometheus-pushgateway');
    port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    await startPushgateway();
    agent = await startAgentProcess(`
http: { listen: 127.0.0.1:0 }
devices:
  - id: printer-1
    driver: escpos
    transport: { type: simulator, faults: { paperOut: true } }
    pollInterval: 200ms
heartbeat:
  interval: ${INTERVAL_MS}ms
  timeout: 1s
  instance: shop-0042
  pushgateway: { url: '${baseUrl}' }
site: { id: berlin-mitte }
selfCheck: { cron: null }
`);
  }, 30_000);

  afterAll(async () => {
    await agent?.stop();
    await stopPushgateway();
  });

  it('pushes heartbeat, device, overall and alert series under job, instance and site', async () => {
    const beats = await waitUntil(() => series('posdiag_heartbeat_timestamp_seconds'), (lines) => lines.length > 0, { what: 'first heartbeat' });
    expect(beats[0]).toMatch(/^posdiag_heartbeat_timestamp_seconds\{instance="shop-0042",job="posdiag",site="berlin-mitte"\} [0-9.e+]+$/);
    const pushedAt = Number(beats[0]!.split(' ')[1]);
    expect(Math.abs(pushedAt - Date.now() / 1000)).toBeLessThan(10);
    expect(await series('posdiag_heartbeat_interval_seconds')).toEqual([
      'posdiag_heartbeat_interval_seconds{instance="shop-0042",job="posdiag",site="berlin-mitte"} 0.3',
    ]);
    expect(await series('posdiag_up')).toEqual(['posdiag_up{instance="shop-0042",job="posdiag",site="berlin-mitte"} 1']);

    // The device answers (simulated), with paper out: a critical alert, so the till is down.
    const device = await waitUntil(() => series('posdiag_device_up'), (lines) => lines.some((l) => l.endsWith(' 1')), { what: 'device up pushed' });
    expect(device[0]).toContain('device="printer-1"');
    expect(device[0]).toContain('instance="shop-0042"');
    const overall = await waitUntil(() => series('posdiag_overall_state'), (lines) => lines.some((l) => l.includes('state="down"') && l.endsWith(' 1')), {
      what: 'overall down pushed',
    });
    expect(overall.filter((l) => l.endsWith(' 1'))).toHaveLength(1);
    // The alert fires after the failure threshold (3 polls), possibly a push after the state.
    const alerts = await waitUntil(() => series('posdiag_alert_active'), (lines) => lines.some((l) => l.includes('condition="printer.paper_out"')), {
      what: 'paper-out alert pushed',
    });
    expect(alerts.find((l) => l.includes('condition="printer.paper_out"'))).toContain('severity="critical"');
    // Pushgateway's own record of the push, per group: present, so the push really was accepted.
    expect((await series('push_time_seconds')).some((l) => l.includes('instance="shop-0042"'))).toBe(true);
  });

  it('keeps the heartbeat fresh: a later push carries a later time', async () => {
    const first = Number((await series('posdiag_heartbeat_timestamp_seconds'))[0]!.split(' ')[1]);
    await waitUntil(
      () => series('posdiag_heartbeat_timestamp_seconds'),
      (lines) => Number(lines[0]?.split(' ')[1]) > first,
      { what: 'a newer heartbeat' },
    );
  });

  it('logs an outage once, then resumes pushing when the Pushgateway is back', async () => {
    await stopPushgateway();
    await agent.process.waitForLine((l) => l.msg === 'heartbeat not delivered; retrying with backoff, logged again once it works');
    // Several intervals pass while it is down (waited for by counting failed attempts in the
    // agent's own /metrics, not by sleeping).
    await waitUntil(
      () => fetch(`${agent.url}/metrics`).then((r) => r.text()),
      (text) => Number(/posdiag_heartbeat_failures_total\{receiver="pushgateway"\} (\d+)/.exec(text)?.[1] ?? 0) >= 3,
      { what: '3 failed heartbeats', timeoutMs: 20_000 },
    );
    const outageLines = agent.process.lines.filter((l) => l.msg === 'heartbeat not delivered; retrying with backoff, logged again once it works');
    expect(outageLines).toHaveLength(1);
    expect(String(outageLines[0]!.reason)).toContain('ECONNREFUSED');

    await startPushgateway();
    expect(await series('posdiag_heartbeat_timestamp_seconds')).toEqual([]);
    await waitUntil(() => series('posdiag_heartbeat_timestamp_seconds'), (lines) => lines.length === 1, {
      what: 'heartbeat after the restart',
      timeoutMs: 30_000,
    });
    const recovered = await agent.process.waitForLine((l) => l.msg === 'heartbeat delivered again');
    expect(Number(recovered.failedAttempts)).toBeGreaterThanOrEqual(3);
  });

  it('says posdiag_up 0 in its last heartbeat when stopped on purpose', async () => {
    await agent.process.stop();
    expect(await series('posdiag_up')).toEqual(['posdiag_up{instance="shop-0042",job="posdiag",site="berlin-mitte"} 0']);
  });
});
