import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildBundle } from '../../../src/bundle/build.js';
import { HealthModel } from '../../../src/health/model.js';
import { PathHealth } from '../../../src/health/path-health.js';
import { HistoryRing } from '../../../src/history/recorder.js';
import { buildServer } from '../../../src/http/server.js';
import { statusDocument } from '../../../src/http/status-document.js';
import { StatusFeed } from '../../../src/http/status-feed.js';
import { pageView } from '../../../src/http/ui/page-view.js';
import { createAgentMetrics } from '../../../src/metrics/registry.js';

const silent = pino({ level: 'silent' });
const at = new Date('2026-12-01T09:00:00.000Z');
const secret = 'the-shop-token-0123456789';

async function app(token: string | null = null) {
  const health = new HealthModel();
  health.addDevice({ id: 'printer-1', name: 'Counter', driver: 'escpos', simulated: true, transport: 'simulator' });
  const paths = new PathHealth();
  const history = new HistoryRing();
  let checks = 0;
  const server = await buildServer({
    health,
    paths,
    metrics: createAgentMetrics(() => ({ devices: health.allDevices(), network: paths.network(), host: paths.host() }), '9.9.9'),
    log: silent,
    version: '9.9.9',
    startedAt: at,
    token,
    simulators: new Map(),
    pollNow: () => undefined,
    now: () => new Date(at.getTime() + 60_000),
    statusPage: {
      history: (now) => history.snapshot(now),
      stateSince: (subject) => history.stateSince(subject),
      networkTargets: 0,
      checkNow: async () => {
        checks += 1;
      },
      bundle: () =>
        buildBundle({
          now: at,
          source: 'agent',
          agent: { version: '9.9.9', node: 'v20', platform: 'linux', arch: 'x64', hostname: 'till', pid: 1, startedAt: null, uptimeSeconds: null },
          config: { http: { token } },
          status: null,
          history: history.snapshot(at),
          logLines: [`{"msg":"token was ${token}"}`],
        }),
    },
  });
  return { server, checks: () => checks, history };
}

let current: FastifyInstance | null = null;
afterEach(async () => {
  vi.useRealTimers();
  await current?.close();
  current = null;
});

async function csrfOf(server: FastifyInstance, headers: Record<string, string> = {}): Promise<string> {
  const page = await server.inject({ url: '/', headers });
  return /name="posdiag-csrf" content="([^"]+)"/.exec(page.body)![1]!;
}

describe('status page files', () => {
  it('serves the page in the browser\'s language with a strict CSP and no caching', async () => {
    const { server } = await app();
    current = server;
    const zh = await server.inject({ url: '/', headers: { 'accept-language': 'zh-CN,zh;q=0.9' } });
    expect(zh.statusCode).toBe(200);
    expect(zh.body).toContain('<html lang="zh-CN">');
    expect(zh.headers['content-security-policy']).toContain("script-src 'self'");
    expect(zh.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(zh.headers['cache-control']).toBe('no-store');
    const en = await server.inject({ url: '/', headers: { 'accept-language': 'en-GB' } });
    expect(en.body).toContain('<html lang="en">');
    expect(await csrfOf(server)).toMatch(/^[\w-]{32}$/);
  });

  it('serves its files gzipped with an ETag, and answers 304 to a revalidation', async () => {
    const { server } = await app();
    current = server;
    const js = await server.inject({ url: '/ui/app.js', headers: { 'accept-encoding': 'gzip, br' } });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toContain('text/javascript');
    expect(js.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(js.rawPayload).toString()).toContain('stayConnected');
    const again = await server.inject({ url: '/ui/app.js', headers: { 'if-none-match': String(js.headers.etag) } });
    expect(again.statusCode).toBe(304);
    const zh = await server.inject('/ui/messages/zh-CN.json');
    expect(zh.json()['state.fault']).toBe('故障');
  });

  it('shows the page without the token but keeps the data behind it', async () => {
    const { server } = await app(secret);
    current = server;
    expect((await server.inject('/')).statusCode).toBe(200);
    expect((await server.inject('/api/v1/history')).statusCode).toBe(401);
    expect((await server.inject('/api/v1/events')).statusCode).toBe(401);
    const history = await server.inject({ url: '/api/v1/history', headers: { authorization: `Bearer ${secret}` } });
    expect(history.statusCode).toBe(200);
  });
});

describe('check now and CSRF', () => {
  const sameOrigin = { host: '127.0.0.1:9137', origin: 'http://127.0.0.1:9137', 'sec-fetch-site': 'same-origin' };

  it('runs a round for the page when the request carries its token as JSON', async () => {
    const { server, checks } = await app();
    current = server;
    const csrf = await csrfOf(server);
    const response = await server.inject({
      method: 'POST',
      url: '/api/v1/check',
      headers: { ...sameOrigin, 'content-type': 'application/json', 'x-posdiag-csrf': csrf },
      payload: '{}',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().status.devices[0].id).toBe('printer-1');
    expect(checks()).toBe(1);
  });

  it('refuses browser requests without the token, cross-site, not JSON, or from a rebound host name', async () => {
    const { server, checks } = await app();
    current = server;
    const csrf = await csrfOf(server);
    const attempts = [
      { ...sameOrigin, 'content-type': 'application/json' },
      { ...sameOrigin, 'content-type': 'application/json', 'x-posdiag-csrf': 'guessed' },
      { ...sameOrigin, origin: 'http://evil.example', 'sec-fetch-site': 'cross-site', 'content-type': 'application/json', 'x-posdiag-csrf': csrf },
      { ...sameOrigin, 'content-type': 'text/plain', 'x-posdiag-csrf': csrf },
      // DNS rebinding: the browser thinks evil.example is same-origin, but the Host says who it is.
      { host: 'evil.example:9137', origin: 'http://evil.example:9137', 'sec-fetch-site': 'same-origin', 'content-type': 'application/json', 'x-posdiag-csrf': csrf },
    ];
    for (const headers of attempts) {
      const response = await server.inject({ method: 'POST', url: '/api/v1/check', headers, payload: '{}' });
      expect(response.statusCode, JSON.stringify(headers)).toBe(403);
      expect(response.json().error.code).toBe('CROSS_SITE');
    }
    expect(checks()).toBe(0);
  });

  it('lets non-browser clients (no Origin, no Sec-Fetch-Site) through', async () => {
    const { server, checks } = await app();
    current = server;
    const response = await server.inject({ method: 'POST', url: '/api/v1/check', headers: { 'content-type': 'application/json' }, payload: '{}' });
    expect(response.statusCode).toBe(200);
    expect(checks()).toBe(1);
  });
});

describe('support bundle download', () => {
  it('is an attachment without the token', async () => {
    const { server } = await app(secret);
    current = server;
    const response = await server.inject({ url: '/api/v1/bundle?download', headers: { authorization: `Bearer ${secret}` } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="posdiag-bundle-\d{8}-\d{6}\.json"$/);
    expect(response.body).not.toContain(secret);
    expect(response.json().config.http.token).toBe('[redacted]');
  });
});

/** Just enough of a ServerResponse for the feed: records what it writes. */
class FakeResponse extends EventEmitter {
  written = '';
  ended = false;
  writeHead() {
    return this;
  }
  write(chunk: string) {
    this.written += chunk;
    return true;
  }
  end() {
    this.ended = true;
    this.emit('close');
  }
}

describe('StatusFeed', () => {
  it('pushes a change that matters at once, holds back counters, and ends its streams on close', () => {
    // Fake timers: the debounce and the refresh interval run on a clock the test moves.
    vi.useFakeTimers({ now: at });
    const health = new HealthModel();
    health.addDevice({ id: 'p1', name: 'p1', driver: 'escpos', simulated: false, transport: 'simulator' });
    const paths = new PathHealth();
    const snapshot = () => {
      const document = statusDocument({ devices: health.allDevices(), network: paths.network(), host: paths.host() }, new Date());
      return { document, view: pageView(document, { stateSince: () => null, networkTargets: 0, startedAt: at.toISOString() }) };
    };
    const feed = new StatusFeed({
      snapshot,
      subscribe: (onChange) => {
        health.on('change', onChange);
        return () => health.off('change', onChange);
      },
      heartbeatMs: 60_000,
      refreshMs: 15_000,
      debounceMs: 100,
      version: '9.9.9',
    });
    const response = new FakeResponse();
    feed.attach(response as unknown as ServerResponse);
    expect(response.written).toMatch(/^retry: 2000\nevent: hello\ndata: \{"heartbeatMs":60000,"version":"9.9.9"\}\n\nevent: status\ndata: \{.*\n\nevent: view\ndata: \{.*\n\n$/s);
    const events = () => response.written.match(/^event: view$/gm)?.length ?? 0;

    health.pollFailed('p1', 'timeout', true, new Date()); // unreachable: a condition
    vi.advanceTimersByTime(100);
    expect(events()).toBe(2);
    health.pollFailed('p1', 'timeout', true, new Date()); // same state, only the counters moved
    vi.advanceTimersByTime(100);
    expect(events()).toBe(2);
    vi.advanceTimersByTime(15_000);
    health.pollFailed('p1', 'timeout', true, new Date()); // counters again, but the refresh is due
    vi.advanceTimersByTime(100);
    expect(events()).toBe(3);
    vi.advanceTimersByTime(60_000);
    expect(response.written).toMatch(/: heartbeat\n\n$/);
    feed.push();
    expect(events()).toBe(4);
    feed.close();
    expect(response.ended).toBe(true);
    expect(feed.size).toBe(0);
  });
});
