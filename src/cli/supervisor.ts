/**
 * The running agent and its config, swapped safely: a reload validates the new file first and
 * refuses a bad one (the running agent stays, untouched); a good one replaces the agent by
 * stop → start, and if the new one cannot start (port taken, …) the old config is started
 * again. `agent.stop()` is the one place that ends polls and flushes the store and outbox;
 * this file only decides when to call it.
 *
 * Reloads run one at a time: a SIGHUP during a reload queues one more, so the file's last state
 * always wins and two agents never run at once.
 */
import { isDeepStrictEqual } from 'node:util';
import type { RunningAgent } from '../agent.js';
import { type Config, type ConfigResult, formatConfigError } from '../config/index.js';
import type { Logger } from '../log.js';

export interface SupervisorDeps {
  startAgent(config: Config, log: Logger): Promise<RunningAgent | { stop(): Promise<void> }>;
  loadConfig(): Promise<ConfigResult>;
  log: Logger;
  /** Told before a reload starts and when the agent is serving again (sd_notify). */
  onReloading?(): Promise<void>;
  onReady?(): Promise<void>;
}

export type ReloadOutcome = 'reloaded' | 'unchanged' | 'refused' | 'rolled-back' | 'stopped';

type Agent = Awaited<ReturnType<SupervisorDeps['startAgent']>>;

export class AgentSupervisor {
  private agent: Agent | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private stopping = false;

  constructor(
    private config: Config,
    private readonly deps: SupervisorDeps,
  ) {}

  get currentConfig(): Config {
    return this.config;
  }

  /** Starts the first agent; throws what startAgent throws. */
  async start(): Promise<void> {
    this.agent = await this.deps.startAgent(this.config, this.deps.log);
  }

  /** Re-reads the config file; `reason` names what asked for it (SIGHUP, file change). */
  reload(reason: string): Promise<ReloadOutcome> {
    const next = this.queue.then(() => this.reloadNow(reason));
    this.queue = next.catch(() => {});
    return next;
  }

  /**
   * Ends the agent once any reload under way has finished (never in the middle of a swap).
   * Returns when agent.stop() has: the caller bounds the wait.
   */
  stop(): Promise<void> {
    this.stopping = true;
    const next = this.queue.then(async () => {
      const agent = this.agent;
      this.agent = null;
      await agent?.stop();
    });
    this.queue = next.catch(() => {});
    return next;
  }

  private async reloadNow(reason: string): Promise<ReloadOutcome> {
    const { log } = this.deps;
    if (this.stopping || this.agent === null) return 'stopped';
    const result = await this.deps.loadConfig();
    if (!result.ok) {
      const errors = result.errors.map(formatConfigError);
      log.error({ reason, errors }, `new configuration refused, the running one stays: ${errors.join('; ')}`);
      return 'refused';
    }
    if (isDeepStrictEqual(result.config, this.config)) {
      log.info({ reason }, 'configuration unchanged');
      return 'unchanged';
    }
    warnAboutRestartOnlyKeys(this.config, result.config, log);
    const started = Date.now();
    await this.deps.onReloading?.();
    log.info({ reason }, 'reloading: stopping the agent to start it with the new configuration');
    await this.agent.stop();
    let outcome: ReloadOutcome;
    try {
      this.agent = await this.deps.startAgent(result.config, log);
      this.config = result.config;
      log.level = result.config.log.level;
      outcome = 'reloaded';
    } catch (error) {
      log.error({ err: error, reason }, 'cannot start with the new configuration; starting the previous one again');
      // If even the old config cannot start, this throws: run.ts exits non-zero and the service
      // manager restarts the agent from scratch.
      this.agent = await this.deps.startAgent(this.config, log);
      outcome = 'rolled-back';
    }
    await this.deps.onReady?.();
    log.info({ reason, outcome, ms: Date.now() - started }, outcome === 'reloaded' ? 'configuration reloaded' : 'previous configuration restored');
    return outcome;
  }
}

/** The log destination is opened once at start; say so rather than ignore the change. */
function warnAboutRestartOnlyKeys(old: Config, next: Config, log: Logger): void {
  const { level: _oldLevel, ...oldLog } = old.log;
  const { level: _nextLevel, ...nextLog } = next.log;
  if (!isDeepStrictEqual(oldLog, nextLog)) log.warn('log.file, log.format, log.maxSize and log.maxFiles take effect at the next restart');
}
