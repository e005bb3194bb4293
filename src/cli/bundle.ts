import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildBundle, bundleFileName, type SupportBundle } from '../bundle/build.js';
import type { Config } from '../config/index.js';
import { version } from '../version.js';
import { agentUrl, getFromAgent } from './agent-client.js';
import { checkRound } from './check.js';
import { configSource, loadOrReport } from './config-source.js';
import { exitCodes } from './main.js';

const fetchTimeoutMs = 10_000;

/**
 * `posdiag bundle [--config FILE] [--out FILE]`: the support bundle, as the status page's button
 * makes it. From the running agent when one answers on the configured address (it knows the last
 * 24 hours); otherwise built here from the config and one round of checks. `--out -` writes to
 * stdout. Exit 0 written, 1 the agent refused (wrong token), 2 config or usage error.
 */
export async function bundleCommand(args: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' }, out: { type: 'string', short: 'o' } }, strict: true });
  const source = configSource(values.config);
  const config = await loadOrReport(source, io.stderr);
  if (!config) return exitCodes.usage;

  let bundle: SupportBundle;
  const fetched = await fetchFromAgent(config);
  if (fetched.kind === 'refused') {
    io.stderr.write(`posdiag bundle: the agent at ${fetched.url} refused the request (${fetched.status}): ${fetched.message}\n`);
    return exitCodes.faults;
  }
  if (fetched.kind === 'ok') {
    bundle = fetched.bundle;
  } else {
    const now = new Date();
    bundle = buildBundle({
      now,
      source: 'config',
      agent: { version, node: process.version, platform: process.platform, arch: process.arch, hostname: os.hostname(), pid: null, startedAt: null, uptimeSeconds: null },
      config,
      status: await checkRound(config),
      history: null,
      logLines: [],
      notes: [`no agent answered at ${fetched.url} (${fetched.reason}); status from one round of checks made by posdiag bundle, no history or log lines`],
    });
  }

  const text = `${JSON.stringify(bundle, null, 2)}\n`;
  if (values.out === '-') {
    io.stdout.write(text);
    return exitCodes.ok;
  }
  const file = path.resolve(values.out ?? bundleFileName(new Date()));
  // 0600: the bundle has no secrets, but it does have serial numbers and the shop's network layout.
  await writeFile(file, text, { mode: 0o600 });
  io.stdout.write(`support bundle written to ${file} (${bundle.source === 'agent' ? 'from the running agent' : 'built from the config; no agent was running'})\n`);
  return exitCodes.ok;
}

type Fetched =
  | { kind: 'ok'; bundle: SupportBundle }
  | { kind: 'refused'; url: string; status: number; message: string }
  | { kind: 'unreachable'; url: string; reason: string };

async function fetchFromAgent(config: Config): Promise<Fetched> {
  const base = agentUrl(config);
  if (!base) return { kind: 'unreachable', url: '(port 0)', reason: 'the config listens on a random port' };
  const url = `${base}/api/v1/bundle`;
  try {
    const response = await getFromAgent(config, url, fetchTimeoutMs);
    if (response.status === 200) return { kind: 'ok', bundle: JSON.parse(response.body) as SupportBundle };
    let message = response.body.slice(0, 200);
    try {
      message = (JSON.parse(response.body) as { error?: { message?: string } }).error?.message ?? message;
    } catch {
      // not JSON: keep the text
    }
    return { kind: 'refused', url: base, status: response.status, message };
  } catch (error) {
    return { kind: 'unreachable', url: base, reason: (error as { code?: string }).code ?? (error as Error).message };
  }
}
