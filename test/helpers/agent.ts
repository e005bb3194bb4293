import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PosdiagProcess } from './process.js';

export interface AgentUnderTest {
  process: PosdiagProcess;
  url: string;
  dir: string;
  get<T = any>(route: string, headers?: Record<string, string>): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

/** Starts `posdiag run` on a config written to a temp dir, HTTP on a free loopback port. */
export async function startAgentProcess(configYaml: string): Promise<AgentUnderTest> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-agent-'));
  const configPath = path.join(dir, 'posdiag.yaml');
  await writeFile(configPath, configYaml);
  const agent = new PosdiagProcess(['run', '--config', configPath], { POSDIAG_CONFIG: '' });
  const listening = await agent.waitForLine((l) => l.msg === 'posdiag listening');
  const url = String(listening.url);
  return {
    process: agent,
    url,
    dir,
    async get(route, headers = {}) {
      const response = await fetch(`${url}${route}`, { headers });
      return { status: response.status, body: (await response.json()) as never };
    },
    async stop() {
      await agent.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
