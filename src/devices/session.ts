import { setTimeout as delay } from 'node:timers/promises';
import { untilNextSlot } from '../transport/schedule-grid.js';
import type { DriverDefinition } from '../../drivers/index.js';
import type { Driver, TransportKind } from '../../drivers/model.js';
import type { HealthModel } from '../health/model.js';
import type { Logger } from '../log.js';
import { backoffDelay } from '../transport/backoff.js';
import { type PassthroughProxy, ReservationAbortedError } from '../passthrough/proxy.js';
import { type ByteLink, errorText, type LinkOpener } from '../transport/link.js';

export interface SessionSettings {
  id: string;
  /** From the start of one poll to the start of the next. */
  pollIntervalMs: number;
  requestTimeoutMs: number;
  /** Consecutive unanswered polls before the device is reported unreachable and the link reopened. */
  unreachableAfter: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  options: unknown;
  /** Serial line or TCP connection: some protocols frame differently on each (ZVT). */
  transport: TransportKind;
}

export interface PollObserver {
  (deviceId: string, durationMs: number, answered: boolean): void;
}

export interface SessionDeps {
  definition: DriverDefinition;
  settings: SessionSettings;
  openLink: LinkOpener;
  health: HealthModel;
  log: Logger;
  onPoll?: PollObserver;
  random?: () => number;
  /** mode: passthrough: the till shares the link; the driver gets the line only in idle gaps. */
  passthrough?: PassthroughProxy;
  /** Passthrough: the latest end-of-day seen on the till's traffic. */
  settlementSeenAt?: () => number | null;
}

/**
 * Owns one device for the life of the agent: opens its link, lets the driver poll it on its own
 * interval, and when the link breaks (unplug, reset, or a device that stopped answering) reopens
 * it with capped backoff, forever. Every device has its own session and its own timers, so a
 * hung port never stalls another device or the HTTP server. Never throws: whatever happens is
 * reported to the health model and the log.
 */
export class DeviceSession {
  private stopped = false;
  private wake: AbortController | null = null;
  private link: ByteLink | null = null;
  private running: Promise<void> | null = null;
  private lastLoggedOpenError: string | null = null;
  /** Aborted when the current link closes or the session stops: ends a wait for the line. */
  private linkGone: AbortController | null = null;

  constructor(private readonly deps: SessionDeps) {}

  start(): void {
    this.running ??= this.run().catch((error: unknown) => {
      // A bug, not a device problem: say so loudly, but the agent keeps serving.
      this.deps.log.error({ err: error }, 'device session crashed');
    });
  }

  /** Ends the current wait: polls now, or retries the connection now. */
  pollNow(): void {
    this.wake?.abort();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.abort();
    this.linkGone?.abort();
    await this.link?.close();
    await this.running;
  }

  private async run(): Promise<void> {
    const { settings, health, log } = this.deps;
    let attempt = 0;
    while (!this.stopped) {
      let link: ByteLink;
      try {
        link = await this.deps.openLink();
      } catch (error) {
        const reason = errorText(error);
        health.linkDown(settings.id, reason, new Date());
        this.logOpenFailure(reason);
        await this.sleep(this.backoff(attempt++));
        continue;
      }
      if (this.stopped) {
        await link.close();
        break;
      }
      this.link = link;
      this.lastLoggedOpenError = null;
      health.linkUp(settings.id, link.description, new Date());
      log.info({ transport: link.description }, 'link open');
      this.deps.passthrough?.attach(link);

      const outcome = await this.serve(link);
      if (outcome.answered) attempt = 0;
      this.deps.passthrough?.detach();
      await link.close();
      this.link = null;
      if (this.stopped) break;
      health.linkDown(settings.id, outcome.reason, new Date());
      log.warn({ reason: outcome.reason }, 'link lost; reconnecting');
      await this.sleep(this.backoff(attempt++));
    }
  }

  /** Polls over one open link until it closes or the device stops answering. */
  private async serve(link: ByteLink): Promise<{ reason: string; answered: boolean }> {
    const { definition, settings, health, log } = this.deps;
    let closedReason: string | null = null;
    const linkGone = new AbortController();
    void link.closed.then((closed) => {
      closedReason = closed.reason;
      linkGone.abort();
      this.wake?.abort();
    });
    this.linkGone = linkGone;
    const shared = this.deps.passthrough;
    const driver: Driver = definition.createDriver({
      link: shared ? shared.agentLink : link,
      transport: settings.transport,
      options: settings.options,
      requestTimeoutMs: settings.requestTimeoutMs,
      log,
      now: Date.now,
      onUnsolicitedReading: (reading) => health.answered(settings.id, reading, driver.identity(), new Date(), false),
      ...(shared ? { sharedWithTill: true } : {}),
      ...(this.deps.settlementSeenAt ? { settlementSeenAt: this.deps.settlementSeenAt } : {}),
    });
    /** In passthrough, every use of the line waits for an idle gap and holds the till meanwhile. */
    const onTheLine = async <T>(work: () => Promise<T>): Promise<T> => {
      if (!shared) return work();
      const lease = await shared.reserve(linkGone.signal);
      let gaveUp = true;
      try {
        const result = await work();
        gaveUp = false;
        return result;
      } finally {
        await lease.release(gaveUp);
      }
    };
    let answered = false;
    let failures = 0;
    try {
      await onTheLine(() => driver.start());
      while (!this.stopped && closedReason === null) {
        const started = performance.now();
        try {
          const reading = await onTheLine(() => driver.poll());
          failures = 0;
          answered = true;
          health.answered(settings.id, reading, driver.identity(), new Date(), true);
          this.deps.onPoll?.(settings.id, performance.now() - started, true);
        } catch (error) {
          if (this.stopped || closedReason !== null || error instanceof ReservationAbortedError) break;
          failures += 1;
          const unreachable = failures >= settings.unreachableAfter;
          health.pollFailed(settings.id, errorText(error), unreachable, new Date());
          this.deps.onPoll?.(settings.id, performance.now() - started, false);
          log.debug({ failures, err: errorText(error) }, 'poll failed');
          if (unreachable) {
            return { reason: `no answer to ${failures} polls in a row (${errorText(error)})`, answered };
          }
        }
        // Polls start every pollIntervalMs, however long each takes: on a slow line (a ZVT status
        // read is ~110 ms at 9600 baud) waiting a full interval after each poll would add the
        // poll's own time to every detection. They start on a grid shared by all devices, so
        // devices polled at the same interval cost one wake-up, not one each.
        await this.sleep(untilNextSlot(started, performance.now(), settings.pollIntervalMs));
      }
    } catch (error) {
      return { reason: closedReason ?? `driver failed: ${errorText(error)}`, answered };
    } finally {
      driver.stop();
    }
    return { reason: closedReason ?? 'agent stopping', answered };
  }

  private backoff(attempt: number): number {
    const { reconnectMinMs, reconnectMaxMs } = this.deps.settings;
    return backoffDelay(attempt, reconnectMinMs, reconnectMaxMs, this.deps.random ?? Math.random);
  }

  /** Repeating the same open error every second would bury the log; say it once per change. */
  private logOpenFailure(reason: string): void {
    if (reason === this.lastLoggedOpenError) {
      this.deps.log.debug({ reason }, 'still cannot open the link');
      return;
    }
    this.lastLoggedOpenError = reason;
    this.deps.log.warn({ reason }, 'cannot open the link; will keep retrying');
  }

  private async sleep(ms: number): Promise<void> {
    if (this.stopped) return;
    const wake = new AbortController();
    this.wake = wake;
    try {
      await delay(ms, undefined, { signal: wake.signal });
    } catch {
      // woken early: stop, link closed, or "check now"
    } finally {
      if (this.wake === wake) this.wake = null;
    }
  }
}
