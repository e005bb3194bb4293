/**
 * The closing-time settlement reminder on a real agent process and a ZVT simulator process over
 * TCP on loopback. The cron fires every second here (node-cron's six-field form) so the test
 * does not wait for a real closing time.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentUnderTest, startAgentProcess } from '../helpers/agent.js';
import { type SimulatorUnderTest, startSimulatorProcess } from '../helpers/simulator.js';
import { waitUntil } from '../helpers/wait.js';

describe('settlement reminder at closing time', () => {
  let dir: string;
  let simulator: SimulatorUnderTest;
  let agent: AgentUnderTest;
  const terminal = async () => (await agent.get('/api/v1/devices/pt')).body;
  const reminded = (d: any) => (d.conditions as string[]).includes('terminal.settlement_reminder');

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-reminder-'));
    simulator = await startSimulatorProcess('zvt', ['--listen', '127.0.0.1:0']);
    const [host, port] = simulator.wire.replace(/^tcp:/, '').split(':');
    agent = await startAgentProcess(`
http: { listen: 127.0.0.1:0 }
storage: { dir: ${dir}/data }
log: { level: info, format: json }
settlementReminder: { cron: "* * * * * *" }
devices:
  - id: pt
    driver: zvt
    transport: { type: tcp, host: ${host}, port: ${port} }
    pollInterval: 300ms
`);
  });

  afterAll(async () => {
    await agent?.stop();
    await simulator?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reminds a terminal with no end-of-day, says so in the log, and clears once one is seen', async () => {
    const device = await waitUntil(terminal, (d) => d.connected && reminded(d), { what: 'terminal.settlement_reminder', timeoutMs: 20_000 });
    expect(device.lastSettlementAt).toBeNull();
    expect(device.conditions).toEqual(['terminal.settlement_reminder']);
    const line = await agent.process.waitForLine((l) => l.component === 'settlement-reminder' && l.level === 40);
    expect(line).toMatchObject({ devices: ['pt'] });

    // The terminal runs its automatic end-of-day at the next Status-Enquiry; the agent sees it.
    await simulator.setFaults({ autoEndOfDay: true });
    const settled = await waitUntil(terminal, (d) => d.lastSettlementAt !== null && !reminded(d), { what: 'the reminder to clear', timeoutMs: 20_000 });
    expect(Date.parse(settled.lastSettlementAt)).toBeGreaterThan(Date.now() - 60_000);
  }, 60_000);
});
