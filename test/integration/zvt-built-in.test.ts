import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentUnderTest, startAgentProcess } from '../helpers/agent.js';
import { requireSocat } from '../helpers/tools.js';
import { waitUntil } from '../helpers/wait.js';

// The simulated terminal of the default config: built into the agent, on a socat pty pair (the
// real serial path) or in-process, switched through the agent's own fault API.
describe('built-in ZVT terminal simulator', () => {
  let dir: string;
  let agent: AgentUnderTest;

  const device = async (id: string) => (await agent.get(`/api/v1/devices/${id}`)).body;
  const setFaults = async (id: string, faults: Record<string, unknown>) => {
    const response = await fetch(`${agent.url}/api/v1/simulators/${id}/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(faults),
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  beforeAll(async () => {
    await requireSocat();
    dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-zvt-sim-'));
    agent = await startAgentProcess(`
http: { listen: 127.0.0.1:0 }
storage: { dir: ${dir}/data }
devices:
  - { id: terminal-pty, driver: zvt, transport: { type: simulator }, pollInterval: 200ms }
  - { id: terminal-mem, driver: zvt, transport: { type: simulator, pty: never, faults: { lockBits: 0x0800 } }, pollInterval: 200ms }
`);
  });

  afterAll(async () => {
    await agent?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs on a pty pair at 9600 baud where socat is installed, reported as simulated', async () => {
    const d = await waitUntil(() => device('terminal-pty'), (v) => v.connected && v.serial !== null, { what: 'pty terminal answers' });
    expect(d).toMatchObject({ simulated: true, cardReader: 'ok', locked: false, conditions: [] });
    expect(d.transport).toMatch(/^serial:.*@9600$/);
  });

  it('runs in-process where no pty is wanted, with the faults of the config', async () => {
    const d = await waitUntil(() => device('terminal-mem'), (v) => v.conditions.length > 0, { what: 'in-process terminal answers' });
    expect(d).toMatchObject({ simulated: true, transport: 'memory:terminal-mem', outOfOrder: true, conditions: ['terminal.out_of_order'] });
  });

  it('switches faults through GET/POST /api/v1/simulators/:id/faults', async () => {
    const faults = await agent.get('/api/v1/simulators/terminal-pty/faults');
    expect(faults.body).toMatchObject({ terminalStatus: 0, lockBits: 0, tamper: false, lastSettlementAt: null });

    const switched = await setFaults('terminal-pty', { tamper: true, lastSettlementAt: null });
    expect(switched).toMatchObject({ status: 200, body: { tamper: true } });
    await waitUntil(() => device('terminal-pty'), (v) => v.conditions.includes('terminal.tamper'), { what: 'tamper' });

    // Values keep their JSON type: 0 stays a number, digits in a string stay a string.
    const typed = await setFaults('terminal-pty', { tamper: false, lockBits: 0, serialNumber: '12345678', slowMs: 0 });
    expect(typed).toMatchObject({ status: 200, body: { tamper: false, lockBits: 0, serialNumber: '12345678', slowMs: 0 } });
    // Another serial number: the agent takes it for another terminal.
    const after = await waitUntil(() => device('terminal-pty'), (v) => v.serial === '12345678' && !v.conditions.includes('terminal.tamper'), {
      what: 'tamper cleared, new serial',
    });
    expect(after.conditions).toEqual(['device.swapped']);
  });

  it('refuses unknown faults and wrong values with a message naming them', async () => {
    const unknown = await setFaults('terminal-pty', { paperOut: true });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('paperOut');
    const wrong = await setFaults('terminal-pty', { terminalStatus: 300 });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toContain('terminalStatus');
  });
});
