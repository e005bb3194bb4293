import { parseArgs } from 'node:util';
import { startAgent } from '../agent.js';
import { formatListenAddress, loadConfigFile } from '../config/index.js';
import { createDaemonLogger, type Logger } from '../log.js';
import { createNotifier } from '../service/sd-notify.js';
import { configSource, loadOrReport } from './config-source.js';
import { watchConfigFile } from './config-watch.js';
import { exitCodes } from './main.js';
import { AgentSupervisor } from './supervisor.js';

/** SIGTERM to exit: polls end, agent.stop() flushes, ports close; past this we exit anyway. */
export const shutdownGraceMs = 10_000;

/**
 * `posdiag run`: the daemon. Reloads its config on SIGHUP and when the file changes; returns
 * (and bin/posdiag.js exits) once a SIGINT or SIGTERM has been handled.
 */
export async function runCommand(args: string[], io: { stderr: NodeJS.WritableStream }): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' } }, strict: true });
  const source = configSource(values.config);
  const config = await loadOrReport(source, io.stderr);
  if (!config) return exitCodes.usage;

  const logger = await createDaemonLogger(config.log);
  const { log } = logger;
  if (source.embedded) {
    log.info({ config: source.path }, 'no --config given: running the embedded default with SIMULATED devices');
  } else {
    log.info({ config: source.path }, 'configuration loaded');
  }
  // A stray rejected promise is a bug to fix, not a reason to stop watching the till.
  const onRejection = (reason: unknown) => log.error({ err: reason }, 'unhandled promise rejection');
  process.on('unhandledRejection', onRejection);

  const notifier = createNotifier(process.env, { onError: (error) => log.warn({ err: error }, 'cannot notify systemd') });
  const supervisor = new AgentSupervisor(config, {
    startAgent,
    loadConfig: () => loadConfigFile(source.path),
    log,
    onReloading: () => notifier.reloading(),
    onReady: () => notifier.ready(),
  });
  try {
    await supervisor.start();
  } catch (error) {
    log.fatal({ err: error }, `cannot start${startHint(error, config.http.listen)}`);
    await logger.close();
    return exitCodes.faults;
  }
  await notifier.ready();
  const stopWatchdog = notifier.startWatchdog();

  // A failed reload that also cannot restart the old config leaves nothing running: exit, and
  // let the service manager start afresh.
  let fatal: (error: unknown) => void = () => {};
  const failed = new Promise<'failed'>((resolve) => {
    fatal = (error) => {
      log.fatal({ err: error }, 'the agent cannot run with the new or the previous configuration');
      resolve('failed');
    };
  });
  const reload = (reason: string) => void supervisor.reload(reason).catch(fatal);
  const onHangup = () => reload('SIGHUP');
  process.on('SIGHUP', onHangup);
  // The embedded default lives inside the package: it changes only with an upgrade (a restart).
  const watcher = source.embedded
    ? null
    : watchConfigFile(source.path, () => reload('file changed'), { onError: (error) => log.warn({ err: error }, 'cannot watch the config file; reload with SIGHUP') });
  log.info({ config: source.path, watching: watcher !== null }, 'running; SIGHUP or saving the config file reloads it, SIGTERM stops');

  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const why = await Promise.race([stopSignal, failed]);
  process.off('SIGHUP', onHangup);
  watcher?.close();
  stopWatchdog();
  if (why === 'failed') {
    await logger.close();
    return exitCodes.faults;
  }

  const exitCode = await stopWithin(supervisor, log, why);
  await notifier.stopping();
  process.off('unhandledRejection', onRejection);
  await logger.close();
  return exitCode;
}

/** agent.stop() bounded by the grace period: a hung port must not keep a stopping service alive. */
async function stopWithin(supervisor: AgentSupervisor, log: Logger, signal: NodeJS.Signals): Promise<number> {
  const started = Date.now();
  log.info({ signal, graceMs: shutdownGraceMs }, 'stopping');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), shutdownGraceMs);
  });
  const result = await Promise.race([supervisor.stop().then(() => 'stopped' as const), timedOut]).catch((error: unknown) => {
    log.error({ err: error }, 'error while stopping');
    return 'error' as const;
  });
  clearTimeout(timer);
  if (result === 'stopped') {
    log.info({ ms: Date.now() - started }, 'stopped');
    return exitCodes.ok;
  }
  if (result === 'timeout') log.error({ graceMs: shutdownGraceMs }, 'shutdown took too long; exiting anyway');
  return exitCodes.faults;
}

function startHint(error: unknown, listen: Parameters<typeof formatListenAddress>[0]): string {
  const code = (error as { code?: string }).code;
  if (code === 'EADDRINUSE') return ` (another program, perhaps another posdiag, already listens on ${formatListenAddress(listen)}; change http.listen)`;
  if (code === 'EACCES') return ` (not allowed to listen on ${formatListenAddress(listen)}; ports below 1024 need privileges)`;
  return '';
}
