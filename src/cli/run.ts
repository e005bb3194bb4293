import { parseArgs } from 'node:util';
import { startAgent } from '../agent.js';
import { formatListenAddress } from '../config/index.js';
import { createLogger } from '../log.js';
import { configSource, loadOrReport } from './config-source.js';
import { exitCodes } from './main.js';

const shutdownGraceMs = 10_000;

/** `posdiag run`: the daemon. Returns when a SIGINT or SIGTERM has been handled. */
export async function runCommand(args: string[], io: { stderr: NodeJS.WritableStream }): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' } }, strict: true });
  const source = configSource(values.config);
  const config = await loadOrReport(source, io.stderr);
  if (!config) return exitCodes.usage;

  const log = createLogger(config.log);
  if (source.embedded) {
    log.info({ config: source.path }, 'no --config given: running the embedded default with SIMULATED devices');
  } else {
    log.info({ config: source.path }, 'configuration loaded');
  }
  // A stray rejected promise is a bug to fix, not a reason to stop watching the till.
  process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled promise rejection'));

  let agent;
  try {
    agent = await startAgent(config, log);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const hint =
      code === 'EADDRINUSE'
        ? ` (another program, perhaps another posdiag, already listens on ${formatListenAddress(config.http.listen)}; change http.listen)`
        : code === 'EACCES'
          ? ` (not allowed to listen on ${formatListenAddress(config.http.listen)}; ports below 1024 need privileges)`
          : '';
    log.fatal({ err: error }, `cannot start${hint}`);
    return exitCodes.faults;
  }

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log.info({ signal }, 'stopping');
  const timer = setTimeout(() => {
    log.error({ graceMs: shutdownGraceMs }, 'shutdown took too long; exiting anyway');
    process.exit(exitCodes.faults);
  }, shutdownGraceMs);
  timer.unref();
  await agent.stop();
  clearTimeout(timer);
  log.info('stopped');
  return exitCodes.ok;
}
