import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: unknown;
}

/**
 * A real HTTP receiver on 127.0.0.1 that can be taken down (connection refused) and brought
 * back on the same port, or told to answer with an error status. Waiters resolve on arrivals.
 */
export class Receiver {
  readonly received: Received[] = [];
  status = 200;
  port = 0;
  private server: http.Server | null = null;
  private readonly waiters = new Set<() => void>();

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (this.status >= 200 && this.status < 300) {
          let json: unknown = null;
          try {
            json = JSON.parse(body);
          } catch {
            // kept as text
          }
          this.received.push({ path: req.url ?? '', headers: req.headers, body, json });
          for (const wake of this.waiters) wake();
        }
        res.writeHead(this.status, { 'content-type': 'text/plain' }).end(this.status === 200 ? '' : 'receiver says no');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Resolves once `done` holds for what was received (checked on every arrival). */
  waitFor(done: (received: Received[]) => boolean, timeoutMs = 15_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (done(this.received)) {
          cleanup();
          resolve();
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`receiver: condition not met within ${timeoutMs} ms; got ${this.received.length} requests`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }
}
