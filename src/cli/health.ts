import { parseArgs } from 'node:util';
import { agentUrl, getFromAgent } from './agent-client.js';
import { configSource, loadOrReport } from './config-source.js';
import { exitCodes } from './main.js';

/**
 * `posdiag health [--config FILE]`: is the agent on this machine alive? Asks its /healthz at the
 * address and scheme its config gives (HTTPS included), so a container health check or a
 * monitoring script needs no port or certificate of its own. Exit 0 alive, 1 not, 2 config error.
 */
export async function healthCommand(args: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' } }, strict: true });
  const config = await loadOrReport(configSource(values.config), io.stderr);
  if (!config) return exitCodes.usage;
  const base = agentUrl(config);
  if (!base) {
    io.stderr.write('posdiag health: the config listens on a random port (0); cannot tell where the agent is\n');
    return exitCodes.usage;
  }
  try {
    const response = await getFromAgent(config, `${base}/healthz`, 4_000);
    if (response.status === 200) {
      io.stdout.write(`posdiag health: ok (${base})\n`);
      return exitCodes.ok;
    }
    io.stderr.write(`posdiag health: ${base}/healthz answered ${response.status}\n`);
  } catch (error) {
    io.stderr.write(`posdiag health: no agent at ${base} (${(error as { code?: string }).code ?? (error as Error).message})\n`);
  }
  return exitCodes.faults;
}
