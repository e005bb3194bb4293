import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentUnderTest, startAgentProcess } from '../helpers/agent.js';
import { freePort } from '../helpers/ports.js';
import { repoRoot } from '../helpers/process.js';
import { waitUntil } from '../helpers/wait.js';
import { type Running, tcpOpen } from './probes/helpers/servers.js';

const token = 'test-token-0123456789';

function requireTool(command: string, pkg: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${command}`]).stdout.toString().trim();
  if (!found) throw new Error(`${command} is not installed; run \`npm test\` as root, or: sudo apt-get install -y ${pkg}`);
  return found;
}

// The real Prometheus from Debian scrapes the agent over loopback with the bearer token, and loads
// the alerting rules we ship.
describe('Prometheus scrapes the agent', () => {
  let dir: string;
  let acquirer: Running;
  let agent: AgentUnderTest;
  let prometheus: ChildProcess;
  let promUrl: string;

  const query = async (expr: string) => {
    const response = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await response.json()) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
    return body.data.result;
  };

  beforeAll(async () => {
    const prometheusBin = requireTool('prometheus', 'prometheus');
    dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-prom-'));
    acquirer = await tcpOpen();
    agent = await startAgentProcess(`
http: { listen: 127.0.0.1:0, token: ${token} }
storage: { dir: ${dir}/data }
devices:
  - id: printer-1
    driver: escpos
    transport: { type: simulator, faults: { paperOut: true } }
    pollInterval: 500ms
network:
  interval: 1s
  targets:
    - { name: acquirer, host: 127.0.0.1, port: ${acquirer.port}, icmp: false }
`);
    const agentAddress = agent.url.replace(/^http:\/\//, '');
    await writeFile(path.join(dir, 'token'), token);
    await writeFile(
      path.join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        `rule_files: ['${path.join(repoRoot, 'config/prometheus/posdiag-rules.yml')}']`,
        'scrape_configs:',
        '  - job_name: posdiag',
        `    authorization: { type: Bearer, credentials_file: ${path.join(dir, 'token')} }`,
        `    static_configs: [{ targets: ['${agentAddress}'], labels: { site: test-shop } }]`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      prometheusBin,
      [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`],
      { stdio: 'ignore' },
    );
    await waitUntil(() => fetch(`${promUrl}/-/ready`).then((r) => r.status), (s) => s === 200, { what: 'prometheus ready', timeoutMs: 30_000, everyMs: 200 });
  }, 60_000);

  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    await agent?.stop();
    await acquirer?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('scrapes it with the token: up == 1, device, probe and alert series present', async () => {
    await waitUntil(() => query('up{job="posdiag"}'), (r) => r[0]?.value[1] === '1', { what: 'up == 1', timeoutMs: 30_000, everyMs: 250 });
    const device = await waitUntil(() => query('posdiag_device_up'), (r) => r[0]?.value[1] === '1', { what: 'device up', timeoutMs: 20_000, everyMs: 250 });
    expect(device[0]?.metric).toMatchObject({ device: 'printer-1', driver: 'escpos', simulated: 'true', site: 'test-shop' });
    const printer = await query('posdiag_printer_status == 1');
    expect(printer[0]?.metric.status).toBe('no_paper');
    const probe = await waitUntil(() => query('probe_success{target="acquirer"}'), (r) => r.length > 0, { what: 'probe series', timeoutMs: 20_000, everyMs: 250 });
    expect(probe[0]?.value[1]).toBe('1');
    // Firing after alerts.failureThreshold polls: wait for it rather than assume it.
    const alert = await waitUntil(() => query('posdiag_alert_active{condition="printer.paper_out"}'), (r) => r.length > 0, { what: 'alert series', timeoutMs: 20_000, everyMs: 250 });
    expect(alert[0]?.metric).toMatchObject({ device: 'printer-1', severity: 'critical' });
  });

  it('loads the shipped alerting rules, which promtool accepts', async () => {
    const promtool = requireTool('promtool', 'prometheus');
    const check = spawnSync(promtool, ['check', 'rules', path.join(repoRoot, 'config/prometheus/posdiag-rules.yml')], { encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const rules = (await (await fetch(`${promUrl}/api/v1/rules`)).json()) as { data: { groups: Array<{ rules: Array<{ name: string; health: string }> }> } };
    const names = rules.data.groups.flatMap((g) => g.rules.map((r) => r.name));
    expect(names).toEqual(expect.arrayContaining(['PosdiagAgentDown', 'PosdiagCondition', 'PosdiagDeviceDown']));
    const pending = await waitUntil(
      async () => ((await (await fetch(`${promUrl}/api/v1/alerts`)).json()) as { data: { alerts: Array<{ labels: Record<string, string> }> } }).data.alerts,
      (alerts) => alerts.some((a) => a.labels.condition === 'printer.paper_out'),
      { what: 'PosdiagCondition pending', timeoutMs: 20_000, everyMs: 250 },
    );
    expect(pending.find((a) => a.labels.condition === 'printer.paper_out')?.labels).toMatchObject({ alertname: 'PosdiagCondition', severity: 'critical' });
  });
});
