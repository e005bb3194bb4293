/**
 * The I/O half of passthrough: joins the till's virtual port to the device's physical link,
 * forwards every byte unchanged and in order, and lends the line to the agent's driver only in
 * an idle gap the protocol watch vouches for.
 *
 * The agent's turn is a lease: `reserve()` waits until the watch says no exchange is open and
 * the till has been quiet for `idleGapMs`; during the lease, bytes the till sends are held (a
 * ZVT command cannot start while the agent's Status-Enquiry owns the terminal; a print job must
 * not split the agent's query from its answer) and go out in order the moment the lease ends,
 * which is when the watch sees the agent's exchange fully over (last ACK included).
 */
import type { DeviceLink, LineObservation, PassthroughWatch } from '../../drivers/model.js';
import type { Logger } from '../log.js';
import { type ByteLink, DataListeners, errorText, LinkClosedError } from '../transport/link.js';
import type { TillPort } from './till-port.js';

export interface PassthroughCounters {
  /** Bytes the till sent, and of those, the ones dropped because the device was not connected. */
  tillToDevice: number;
  tillBytesDropped: number;
  deviceToTill: number;
  agentToDevice: number;
  deviceToAgent: number;
  /** Agent turns, and how many of them waited for the till. */
  leases: number;
  leasesWaited: number;
  /** Till chunks that arrived during an agent turn and were held back, and the longest hold. */
  heldChunks: number;
  longestHoldMs: number;
}

export interface ProxyDeps {
  watch: PassthroughWatch;
  till: TillPort;
  idleGapMs: number;
  /** Longest an agent turn may keep the line after its exchange; then it is cut off. */
  releaseLimitMs: number;
  log: Logger;
  now?: () => number;
  onObservation(observation: LineObservation): void;
  /** Whether the line is busy with the till changed (for the status page). */
  onActivity?(activity: string | null): void;
}

export interface Lease {
  /** Ends the agent's turn. `gaveUp`: its exchange failed (timeout), late answers are not the till's. */
  release(gaveUp: boolean): Promise<void>;
}

/** Thrown by `reserve` when the wait is cut short (the device link closed, the agent stops). */
export class ReservationAbortedError extends Error {
  override readonly name = 'ReservationAbortedError';
}

export class PassthroughProxy {
  readonly counters: PassthroughCounters = {
    tillToDevice: 0,
    tillBytesDropped: 0,
    deviceToTill: 0,
    agentToDevice: 0,
    deviceToAgent: 0,
    leases: 0,
    leasesWaited: 0,
    heldChunks: 0,
    longestHoldMs: 0,
  };
  /** What the driver gets instead of the physical link. */
  readonly agentLink: DeviceLink;

  private link: ByteLink | null = null;
  private unsubscribeDevice: (() => void) | null = null;
  private readonly agentListeners = new DataListeners();
  private leased = false;
  private leasedAt = 0;
  private held: Uint8Array[] = [];
  private lastTillByteAt = Number.NEGATIVE_INFINITY;
  private lastActivity: string | null = null;
  /** Woken by every byte either way and by lease ends: a waiting reservation looks again. */
  private readonly lineWatchers = new Set<() => void>();
  private readonly now: () => number;
  private readonly unsubscribeTill: () => void;

  constructor(private readonly deps: ProxyDeps) {
    this.now = deps.now ?? (() => performance.timeOrigin + performance.now());
    this.unsubscribeTill = deps.till.onData((chunk) => this.fromTill(chunk));
    this.agentLink = {
      write: (bytes) => this.fromAgent(bytes),
      onData: (listener) => this.agentListeners.add(listener),
    };
  }

  get description(): string {
    return this.deps.till.description;
  }

  /** The physical link is open. */
  attach(link: ByteLink): void {
    this.detach();
    this.link = link;
    this.deps.watch.reset();
    this.unsubscribeDevice = link.onData((chunk) => this.fromDevice(chunk));
    this.deps.till.deviceAvailable(true);
  }

  /** The physical link is gone: the till's bytes have nowhere to go until it is back. */
  detach(): void {
    if (!this.link) return;
    this.unsubscribeDevice?.();
    this.unsubscribeDevice = null;
    this.link = null;
    this.deps.watch.reset();
    this.drainObservations();
    this.deps.till.deviceAvailable(false);
    for (const chunk of this.held.splice(0)) this.counters.tillBytesDropped += chunk.length;
    this.wakeWatchers();
  }

  /** Waits for an idle gap and gives the agent the line. */
  async reserve(signal: AbortSignal): Promise<Lease> {
    let waited = false;
    while (!this.canLease()) {
      waited = true;
      await this.waitForChange(signal);
      this.publish();
    }
    this.publish(); // canLease() itself may have let the watch forget an exchange
    this.leased = true;
    this.leasedAt = this.now();
    this.counters.leases++;
    if (waited) this.counters.leasesWaited++;
    let released = false;
    return {
      release: async (gaveUp) => {
        if (released) return;
        released = true;
        await this.endLease(gaveUp);
      },
    };
  }

  /** The till's view for the status page: connected, busy, counters. */
  activity(): string | null {
    return this.deps.watch.activity();
  }

  tillConnected(): boolean | null {
    return this.deps.till.connected();
  }

  /**
   * The till hung up (TCP). If it did so inside its own exchange, the device must see the same
   * thing it would have seen without us, a closed connection, which aborts the operation.
   */
  tillLeft(): void {
    if (this.link && this.deps.watch.activity()?.startsWith('till')) {
      this.deps.log.info({}, 'passthrough: the till hung up inside an exchange; closing the device connection too');
      void this.link.close();
    }
  }

  async close(): Promise<void> {
    this.unsubscribeTill();
    this.detach();
    await this.deps.till.close();
  }

  private canLease(): boolean {
    const now = this.now();
    return (
      !this.leased &&
      this.link !== null &&
      this.held.length === 0 &&
      now - this.lastTillByteAt >= this.deps.idleGapMs &&
      this.deps.watch.idle(now)
    );
  }

  private async endLease(gaveUp: boolean): Promise<void> {
    if (gaveUp) this.deps.watch.agentGaveUp(this.now());
    // The driver is done, but the line may not be: e.g. the terminal's ACK of our last 80 00.
    const deadline = this.now() + this.deps.releaseLimitMs;
    const signal = AbortSignal.timeout(this.deps.releaseLimitMs);
    while (this.link !== null && !this.deps.watch.idle(this.now()) && this.now() < deadline) {
      try {
        await this.waitForChange(signal);
      } catch {
        break;
      }
    }
    if (this.link !== null && !this.deps.watch.idle(this.now())) {
      this.deps.log.warn({ limitMs: this.deps.releaseLimitMs }, 'passthrough: the agent exchange did not end cleanly; giving the line back to the till');
      this.deps.watch.agentGaveUp(this.now());
    }
    this.leased = false;
    const heldFor = this.now() - this.leasedAt;
    const held = this.held.splice(0);
    if (held.length > 0) this.counters.longestHoldMs = Math.max(this.counters.longestHoldMs, heldFor);
    for (const chunk of held) this.forwardTill(chunk);
    this.publish();
    this.wakeWatchers();
  }

  private fromTill(chunk: Uint8Array): void {
    this.lastTillByteAt = this.now();
    if (this.leased) {
      this.held.push(chunk);
      this.counters.heldChunks++;
    } else {
      this.forwardTill(chunk);
    }
    this.wakeWatchers();
  }

  private forwardTill(chunk: Uint8Array): void {
    this.counters.tillToDevice += chunk.length;
    const link = this.link;
    if (!link) {
      this.counters.tillBytesDropped += chunk.length;
      return;
    }
    this.deps.watch.toDevice('till', chunk, this.now());
    link.write(chunk).catch((error: unknown) => this.deps.log.debug({ err: errorText(error) }, 'passthrough: write to the device failed'));
    this.publish();
  }

  private fromAgent(bytes: Uint8Array): Promise<void> {
    const link = this.link;
    if (!link) return Promise.reject(new LinkClosedError('passthrough device link'));
    if (!this.leased) return Promise.reject(new Error('passthrough: the agent wrote outside its turn (a bug): not sent'));
    this.counters.agentToDevice += bytes.length;
    this.deps.watch.toDevice('agent', bytes, this.now());
    this.publish();
    return link.write(bytes);
  }

  private fromDevice(chunk: Uint8Array): void {
    for (const run of this.deps.watch.fromDevice(chunk, this.now())) {
      if (run.to === 'till') {
        this.counters.deviceToTill += run.bytes.length;
        this.deps.till.write(run.bytes);
      } else {
        this.counters.deviceToAgent += run.bytes.length;
        this.agentListeners.emit(run.bytes, (error) => this.deps.log.error({ err: error }, 'driver failed while reading'));
      }
    }
    this.publish();
    this.wakeWatchers();
  }

  /**
   * Hands on what the watch learned and its activity when it changed: after traffic, and after
   * the watch's own timers lapsed an exchange (seen while a reservation waits or a lease ends).
   */
  private publish(): void {
    this.drainObservations();
    const activity = this.deps.watch.activity();
    if (activity !== this.lastActivity) {
      this.lastActivity = activity;
      this.deps.onActivity?.(activity);
    }
  }

  private drainObservations(): void {
    for (const observation of this.deps.watch.drain()) {
      try {
        this.deps.onObservation(observation);
      } catch (error) {
        this.deps.log.error({ err: error }, 'passthrough: handling an observation failed');
      }
    }
  }

  /**
   * Resolves at the next byte either way, at the end of a lease, or after a short while (the
   * till's quiet gap running out, a protocol timer lapsing in the watch). Never busy-waits: the
   * timer is at least a few milliseconds and only runs while someone waits.
   */
  private waitForChange(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(new ReservationAbortedError('reservation aborted'));
        return;
      }
      const quietIn = this.lastTillByteAt + this.deps.idleGapMs - this.now();
      const timer = setTimeout(done, Math.max(5, Math.min(quietIn > 0 ? quietIn : 50, 50)));
      const onAbort = () => {
        cleanup();
        reject(new ReservationAbortedError('reservation aborted'));
      };
      const watcher = () => done();
      function done() {
        cleanup();
        resolve();
      }
      const cleanup = () => {
        clearTimeout(timer);
        this.lineWatchers.delete(watcher);
        signal.removeEventListener('abort', onAbort);
      };
      this.lineWatchers.add(watcher);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private wakeWatchers(): void {
    for (const wake of [...this.lineWatchers]) wake();
  }
}
