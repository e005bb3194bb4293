import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentUnderTest, startAgentProcess } from '../helpers/agent.js';
import { freePort } from '../helpers/ports.js';
import { requireTool } from '../helpers/tools.js';
import { waitUntil } from '../helpers/wait.js';

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  status: { state: string };
}

// The real Alertmanager from Debian, on loopback, receiving the agent's alerts through the outbox.
describe('alerts reach the real Alertmanager', () => {
  let dir: string;
  let amPort: number;
  let am: ChildProcess | null = null;
  let agent: AgentUnderTest | null = null;

  const amUrl = () => `http://127.0.0.1:${amPort}`;
  const amAlerts = async (alertname: string) =>
    ((await (await fetch(`${amUrl()}/api/v2/alerts`)).json()) as AmAlert[]).filter((a) => a.labels.alertname === alertname);

  async function startAlertmanager(): Promise<void> {
    const bin = requireTool('prometheus-alertmanager', 'prometheus-alertmanager');
    am = spawn(
      bin,
      [
        `--config.file=${path.join(dir, 'am.yml')}`,
        `--storage.path=${path.join(dir, 'am-data')}`,
        `--web.listen-address=127.0.0.1:${amPort}`,
        // Its default cluster listener is 0.0.0.0:9094: off, loopback only.
        '--cluster.listen-address=',
      ],
      { stdio: 'ignore' },
    );
    await waitUntil(() => fetch(`${amUrl()}/-/ready`).then((r) => r.status), (s) => s === 200, { what: 'alertmanager ready', timeoutMs: 30_000, everyMs: 100 });
  }

  async function stopAlertmanager(): Promise<void> {
    const child = am;
    am = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  /** The agent on a simulated printer; its storage dir is shared across restarts. */
  const startAgent = (faults = '{}') =>
    startAgentProcess(`
http: { listen: 127.0.0.1:0 }
storage: { dir: ${dir}/data }
site: { id: test-shop, name: Test shop }
alerts: { failureThreshold: 2, successThreshold: 2 }
notify:
  retry: { initialDelay: 50ms, maxDelay: 500ms }
  alertmanager: [ { url: '${amUrl()}', repostInterval: 2s } ]
devices:
  - id: printer-1
    driver: escpos
    transport: { type: simulator, faults: ${faults} }
    pollInterval: 200ms
selfCheck: { cron: null }
`);

  const setFaults = async (faults: Record<string, boolean>) => {
    const response = await fetch(`${agent?.url}/api/v1/simulators/printer-1/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(faults),
    });
    expect(response.status).toBe(200);
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-am-'));
    await writeFile(path.join(dir, 'am.yml'), "route: { receiver: 'null' }\nreceivers: [ { name: 'null' } ]\n");
    amPort = await freePort();
    await startAlertmanager();
    agent = await startAgent();
  }, 60_000);

  afterAll(async () => {
    await stopAlertmanager();
    await agent?.stop(); // graceful: the SIGTERM path flushes the store and lets the outbox finish
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('paper out appears in GET /api/v2/alerts with the right labels, and ends when resolved', async () => {
    await setFaults({ paperOut: true });
    const [alert] = await waitUntil(() => amAlerts('printer.paper_out'), (a) => a.length === 1, { what: 'paper out in alertmanager', everyMs: 100 });
    expect(alert?.labels).toEqual({ alertname: 'printer.paper_out', device: 'printer-1', site: 'test-shop', severity: 'critical' });
    expect(alert?.annotations.summary).toMatch(/out of paper/);
    expect(alert?.status.state).toBe('active');
    expect(Date.parse(alert?.endsAt ?? '')).toBeGreaterThan(Date.now());

    await setFaults({ paperOut: false });
    // Resolved: Alertmanager drops it from the active list once its endsAt (the resolve time) passed.
    await waitUntil(() => amAlerts('printer.paper_out'), (a) => a.length === 0 || a.every((x) => Date.parse(x.endsAt) <= Date.now()), {
      what: 'paper out resolved in alertmanager',
      everyMs: 100,
    });
    const status = await agent!.get('/api/v1/status');
    expect(status.body.alerts).toContainEqual(expect.objectContaining({ condition: 'printer.paper_out', state: 'resolved' }));
  });

  it('Alertmanager down, alert raised, agent killed (-9) and restarted: delivered when it returns, once, as the same alert', async () => {
    await stopAlertmanager();
    await setFaults({ coverOpen: true });
    // The outbox tried (and failed) after writing the row: the notification is on disk.
    await agent!.process.waitForLine((l) => l.msg === 'notification not delivered; will retry' && l.alert === 'printer-1/printer.cover_open');
    const before = (await agent!.get('/api/v1/status')).body.alerts.find((a: { condition: string }) => a.condition === 'printer.cover_open');
    expect(before).toMatchObject({ state: 'firing' });
    // The backlog is visible to the provider's Prometheus.
    const metrics = await (await fetch(`${agent!.url}/metrics`)).text();
    expect(metrics).toMatch(/^posdiag_outbox_pending\{notifier="alertmanager:http:\/\/127\.0\.0\.1:\d+\/"\} [1-9]/m);
    expect(metrics).toMatch(/^posdiag_store_up 1$/m);
    await agent!.process.kill();
    await agent!.stop();

    // The cover is still open when the PC comes back.
    const restartedAt = Date.now();
    agent = await startAgent('{ coverOpen: true }');
    const restored = await agent.process.waitForLine((l) => l.msg === 'alert states restored');
    expect(restored.firing).toContain('printer-1/printer.cover_open');
    await startAlertmanager();
    const alerts = await waitUntil(() => amAlerts('printer.cover_open'), (a) => a.length > 0, { what: 'cover open in alertmanager', everyMs: 100 });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.labels).toEqual({ alertname: 'printer.cover_open', device: 'printer-1', site: 'test-shop', severity: 'critical' });
    // The same episode: it started before the restart, and the agent did not fire it again.
    expect(Date.parse(alerts[0]?.startsAt ?? '')).toBeLessThan(restartedAt);
    const after = (await agent.get('/api/v1/status')).body.alerts.find((a: { condition: string }) => a.condition === 'printer.cover_open');
    expect(after).toMatchObject({ state: 'firing', since: before.since });
    await agent.process.waitForLine((l) => l.msg === 'notification delivered after retrying' && l.alert === 'printer-1/printer.cover_open');
    expect(agent.process.lines.filter((l) => l.msg === 'alert firing')).toEqual([]);
  });
});
