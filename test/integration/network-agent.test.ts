import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentUnderTest, startAgentProcess } from '../helpers/agent.js';
import { waitUntil } from '../helpers/wait.js';
import { type Running, tcpClosedPort, tcpOpen } from './probes/helpers/servers.js';

// The agent process checks acquirer targets on loopback: one that accepts, one that refuses.
// The API gives one verdict per target and one overall, says where each path breaks, and raises
// the matching alerts. IP literals only: no DNS query leaves the machine.
describe('network path checks in the running agent', () => {
  let dir: string;
  let open: Running;
  let agent: AgentUnderTest;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-net-'));
    open = await tcpOpen();
    const refused = await tcpClosedPort();
    agent = await startAgentProcess(`
http: { listen: 127.0.0.1:0 }
storage: { dir: ${dir}/data }
selfCheck: { cron: '* * * * * *' }
network:
  interval: 1s
  timeout: 500ms
  targets:
    - { name: acquirer, host: 127.0.0.1, port: ${open.port}, icmp: true }
    - { name: backup-acquirer, host: 127.0.0.1, port: ${refused}, icmp: false }
`);
  });

  afterAll(async () => {
    await agent?.stop();
    await open?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('says which target is reachable, where the other breaks, and alerts on it', async () => {
    const { body } = await waitUntil(() => agent.get('/api/v1/status'), (r) => r.body.network.verdict !== 'unknown', {
      what: 'first network round',
    });
    const { network } = body;
    expect(network.verdict).toBe('degraded'); // one acquirer down, one up: payments can still go through
    const byName = Object.fromEntries(network.targets.map((t: { name: string }) => [t.name, t]));
    expect(byName.acquirer).toMatchObject({ verdict: 'ok', failedLayer: null, conditions: [] });
    expect(byName.acquirer.layers.map((l: { layer: string }) => l.layer)).toEqual(expect.arrayContaining(['dns', 'tcp', 'icmp']));
    expect(byName.acquirer.latency.samples).toBeGreaterThan(0);
    expect(byName['backup-acquirer']).toMatchObject({ verdict: 'down', failedLayer: 'tcp', conditions: ['network.acquirer_unreachable'] });
    expect(byName['backup-acquirer'].reason).toMatch(/refused/i);
    // All targets on this machine: the gateway is not probed (no traffic leaves it).
    expect(network.gateway.checked).toBe(false);
    expect(body.alerts).toContainEqual(
      expect.objectContaining({ condition: 'network.acquirer_unreachable', device: null, target: 'backup-acquirer', severity: 'critical' }),
    );
    expect(body.overall).toBe('down');
  });

  it('runs the calendar self-check through node-cron and logs one summary line', async () => {
    const line = await agent.process.waitForLine((l) => l.msg === 'daily self-check', 10_000);
    expect(line).toMatchObject({ component: 'self-check', overall: 'down' });
    expect(line.alerts).toContain('backup-acquirer/network.acquirer_unreachable');
  });

  it('checks the host: free disk of the data directory, memory, clock and CPU', async () => {
    const { body } = await waitUntil(() => agent.get('/api/v1/status'), (r) => r.body.host.ok !== null, { what: 'host round' });
    expect(body.host.checks.map((c: { check: string }) => c.check)).toEqual(['disk', 'memory', 'clock', 'cpu']);
  });
});
