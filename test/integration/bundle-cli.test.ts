import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentUnderTest, startAgentProcess } from '../helpers/agent.js';
import { freePort } from '../helpers/ports.js';
import { runPosdiag } from '../helpers/process.js';
import { waitUntil } from '../helpers/wait.js';

// `posdiag bundle` against a real running agent (it has the last 24 hours), and without one
// (built from the config and one round of checks). The token never appears in either.
const token = 'bundle-cli-token-4c1e8a77f2';

describe('posdiag bundle', () => {
  let agent: AgentUnderTest;
  let dir: string;
  let config: string;
  let port: number;

  const configText = (secret: string) => `
http: { listen: 127.0.0.1:${port}, token: ${secret} }
storage: { dir: ${path.join(dir, 'data')} }
devices:
  - { id: printer-sim, name: Counter printer, driver: escpos, transport: { type: simulator, pty: never }, pollInterval: 300ms }
`;

  beforeAll(async () => {
    port = await freePort();
    dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-bundle-'));
    // The same config for the agent and for `posdiag bundle`, as on a shop PC.
    config = path.join(dir, 'posdiag.yaml');
    await writeFile(config, configText(token));
    agent = await startAgentProcess(configText(token));
    await waitUntil(() => agent.get('/api/v1/status', { authorization: `Bearer ${token}` }), (r) => r.body.devices?.[0]?.serial != null, { what: 'printer answers' });
  });

  afterAll(async () => {
    await agent?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('fetches the bundle from the running agent, without the token', async () => {
    const out = path.join(dir, 'bundle.json');
    const result = await runPosdiag(['bundle', '--config', config, '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('from the running agent');
    const text = await readFile(out, 'utf8');
    expect(text).not.toContain(token);
    const bundle = JSON.parse(text);
    expect(bundle).toMatchObject({ kind: 'posdiag-support-bundle', source: 'agent', config: { http: { token: '[redacted]' } } });
    expect(bundle.devices[0]).toMatchObject({ id: 'printer-sim', serial: expect.any(String), firmware: expect.any(String) });
    expect(bundle.logs.length).toBeGreaterThan(0);
  });

  it('writes to stdout with --out -', async () => {
    const result = await runPosdiag(['bundle', '--config', config, '--out', '-']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).source).toBe('agent');
    expect(result.stdout).not.toContain(token);
  });

  it('says so when the agent refuses the token', async () => {
    const wrong = path.join(dir, 'wrong.yaml');
    await writeFile(wrong, configText('another-token-0123456789'));
    const result = await runPosdiag(['bundle', '--config', wrong, '--out', path.join(dir, 'x.json')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/refused the request \(401\)/);
  });

  it('builds the bundle from the config and one round of checks when no agent runs', async () => {
    await agent.process.stop();
    const result = await runPosdiag(['bundle', '--config', config, '--out', '-']);
    expect(result.code).toBe(0);
    const bundle = JSON.parse(result.stdout);
    expect(bundle.source).toBe('config');
    expect(bundle.notes[0]).toMatch(/no agent answered .*ECONNREFUSED/);
    expect(bundle.status.devices[0]).toMatchObject({ id: 'printer-sim', connected: true });
    expect(result.stdout).not.toContain(token);
  });
});
