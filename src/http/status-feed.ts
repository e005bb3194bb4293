import type { ServerResponse } from 'node:http';
import type { StatusDocument } from './status-document.js';
import type { PageView } from './ui/page-view.js';

export interface FeedSnapshot {
  document: StatusDocument;
  view: PageView;
}

export interface StatusFeedOptions {
  /** Builds the current document and view. */
  snapshot(): FeedSnapshot;
  /** Calls back on every health change; returns an unsubscribe function. */
  subscribe(onChange: () => void): () => void;
  /** A comment line this often keeps proxies from closing an idle stream and lets the page notice a dead agent. */
  heartbeatMs: number;
  /** Changes to timestamps and counters alone are pushed at most this often. */
  refreshMs: number;
  /** Told to each new stream in its `hello` event. */
  version: string;
  /** Coalesces the burst of changes one poll or probe round makes. */
  debounceMs?: number;
}

/**
 * Server-sent events for the status page and any other watcher: `status` (the status document)
 * and `view` (what the page renders) on every change that matters, at most every `refreshMs`
 * when only times and counters moved, and `: heartbeat` comments in between. Every stream gets
 * the current state at once on connecting.
 */
export class StatusFeed {
  private readonly clients = new Set<ServerResponse>();
  private lastKey: string | null = null;
  private lastSentAt = 0;
  private debounce: NodeJS.Timeout | null = null;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly unsubscribe: () => void;

  constructor(private readonly options: StatusFeedOptions) {
    this.unsubscribe = options.subscribe(() => this.changed());
    this.heartbeat = setInterval(() => this.writeAll(': heartbeat\n\n'), options.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Takes over an HTTP response (already hijacked from fastify) as an event stream. */
  attach(response: ServerResponse): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // nginx and similar proxies would otherwise hold events back in a buffer.
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
    });
    response.write(`retry: 2000\nevent: hello\ndata: ${JSON.stringify({ heartbeatMs: this.options.heartbeatMs, version: this.options.version })}\n\n`);
    this.clients.add(response);
    response.on('close', () => this.clients.delete(response));
    response.write(frames(this.options.snapshot()));
  }

  /** Pushes the current state to every stream now (after "check now", whatever changed). */
  push(): void {
    const snapshot = this.options.snapshot();
    this.lastKey = significantKey(snapshot.document);
    this.lastSentAt = Date.now();
    this.writeAll(frames(snapshot));
  }

  get size(): number {
    return this.clients.size;
  }

  /** Ends every stream, so the HTTP server can close (open streams would hold it). */
  close(): void {
    this.unsubscribe();
    clearInterval(this.heartbeat);
    if (this.debounce) clearTimeout(this.debounce);
    for (const client of this.clients) client.end();
    this.clients.clear();
  }

  private changed(): void {
    if (this.debounce || this.clients.size === 0) return;
    this.debounce = setTimeout(() => {
      this.debounce = null;
      const snapshot = this.options.snapshot();
      const key = significantKey(snapshot.document);
      if (key === this.lastKey && Date.now() - this.lastSentAt < this.options.refreshMs) return;
      this.lastKey = key;
      this.lastSentAt = Date.now();
      this.writeAll(frames(snapshot));
    }, this.options.debounceMs ?? 100);
    this.debounce.unref();
  }

  private writeAll(text: string): void {
    for (const client of this.clients) client.write(text);
  }
}

function frames(snapshot: FeedSnapshot): string {
  return `event: status\ndata: ${JSON.stringify(snapshot.document)}\n\nevent: view\ndata: ${JSON.stringify(snapshot.view)}\n\n`;
}

/**
 * What a person would call a change: states, conditions, verdicts, identity. Poll counters and
 * "last seen" times move every second and are left out (they ride along with the next push).
 */
export function significantKey(document: StatusDocument): string {
  return JSON.stringify({
    overall: document.overall,
    alerts: document.alerts.map((a) => [a.id, a.severity, a.since]),
    devices: document.devices.map(({ lastPollAt: _p, lastSeenAt: _s, pollCount: _c, ...rest }) => rest),
    network: [document.network.verdict, document.network.failedLayer, document.network.targets.map((t) => [t.name, t.verdict, t.failedLayer])],
    host: [document.host.ok, document.host.conditions],
  });
}
