/**
 * The heartbeat loop against a real HTTP(S) receiver on 127.0.0.1: what it sends, with which
 * credentials, how it logs an outage (once) and recovers, and its last beat on stop.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HeartbeatConfig } from '../../../src/config/index.js';
import { type Heartbeat, startHeartbeat } from '../../../src/heartbeat/index.js';
import type { StatusDocument } from '../../../src/http/status-document.js';
import { makeTestPki, type TestPki } from '../../integration/probes/helpers/certs.js';
import { waitUntil } from '../../helpers/wait.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A receiver whose answer can be switched between accepting and refusing. */
async function receiver(server: Server = createHttpServer()) {
  const received: Received[] = [];
  let status = 200;
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      response.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? '' : 'push refused: bad metric');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    received,
    setStatus: (value: number) => (status = value),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function logCapture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'debug', redact: ['*.token'] }, stream), lines, text: () => JSON.stringify(lines) };
}

const document = {
  overall: 'ok',
  generatedAt: '2026-11-23T09:00:00.000Z',
  devices: [],
  network: { verdict: 'unknown' },
  host: {},
  alerts: [],
} as unknown as StatusDocument;

const baseConfig: HeartbeatConfig = { intervalMs: 100, timeoutMs: 1_000, instance: 'shop-1', pushgateway: null, webhook: null };

let heartbeat: Heartbeat | null = null;
afterEach(async () => {
  await heartbeat?.stop();
  heartbeat = null;
});

describe('heartbeat', () => {
  it('PUTs the heartbeat and the agent series to the Pushgateway path, with basic auth', async () => {
    const pushgateway = await receiver();
    const { log } = logCapture();
    heartbeat = startHeartbeat({
      config: { ...baseConfig, pushgateway: { url: `http://127.0.0.1:${pushgateway.port}/`, job: 'posdiag', auth: { type: 'basic', username: 'shop', password: 'pw' }, caFile: null } },
      identity: { instance: 'shop-1', site: 'b1', version: '1.0.0' },
      status: () => document,
      agentSeries: async () => '# HELP posdiag_device_up x\n# TYPE posdiag_device_up gauge\nposdiag_device_up{device="p1"} 1\n',
      log,
    });
    await waitUntil(async () => pushgateway.received.length, (n) => n >= 2, { what: 'two pushes' });
    const [first] = pushgateway.received;
    expect(first).toMatchObject({ method: 'PUT', url: '/metrics/job/posdiag/instance/shop-1/site/b1' });
    expect(first!.headers.authorization).toBe(`Basic ${Buffer.from('shop:pw').toString('base64')}`);
    expect(first!.headers['content-type']).toContain('text/plain; version=0.0.4');
    expect(first!.body).toContain('\nposdiag_up 1\n');
    expect(first!.body).toMatch(/\nposdiag_heartbeat_interval_seconds 0.1\n/);
    expect(first!.body).toContain('posdiag_device_up{device="p1"} 1\n');
    await heartbeat.stop();
    heartbeat = null;
    expect(pushgateway.received.at(-1)!.body).toContain('\nposdiag_up 0\n');
    await pushgateway.close();
  });

  it('logs a refusing webhook once with its answer, counts failures, and logs the recovery', async () => {
    const webhook = await receiver();
    webhook.setStatus(400);
    const { log, lines, text } = logCapture();
    const registry = new Registry();
    heartbeat = startHeartbeat({
      config: { ...baseConfig, webhook: { url: `http://127.0.0.1:${webhook.port}/hb`, auth: { type: 'bearer', token: 'sekret-token-value' }, caFile: null } },
      identity: { instance: 'shop-1', site: null, version: '1.0.0' },
      status: () => document,
      agentSeries: async () => '',
      log,
      registry,
    });
    await waitUntil(async () => webhook.received.length, (n) => n >= 4, { what: 'four refused posts', timeoutMs: 10_000 });
    const outages = lines.filter((l) => l.msg === 'heartbeat not delivered; retrying with backoff, logged again once it works');
    expect(outages).toHaveLength(1);
    expect(outages[0]).toMatchObject({ level: 40, receiver: 'webhook', reason: 'HTTP 400: push refused: bad metric' });
    expect(await registry.getSingleMetricAsString('posdiag_heartbeat_failures_total')).toMatch(/receiver="webhook"\} [4-9]/);

    webhook.setStatus(200);
    await waitUntil(async () => lines.find((l) => l.msg === 'heartbeat delivered again'), Boolean, { what: 'recovery line', timeoutMs: 10_000 });
    const body = JSON.parse(webhook.received.at(-1)!.body) as Record<string, unknown>;
    expect(body).toMatchObject({ kind: 'posdiag.heartbeat', instance: 'shop-1', running: true, overall: 'ok', intervalSeconds: 0.1 });
    expect(webhook.received.at(-1)!.headers.authorization).toBe('Bearer sekret-token-value');
    expect(await registry.getSingleMetricAsString('posdiag_heartbeat_last_success_timestamp_seconds')).toMatch(/receiver="webhook"\} \d/);
    // The token travels in the header only, never into a log line.
    expect(text()).not.toContain('sekret-token-value');
    await heartbeat.stop();
    heartbeat = null;
    await webhook.close();
  });

  it('gives up a push that gets no answer within the timeout, and never throws', async () => {
    const silent = createHttpServer(() => undefined); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { log, lines } = logCapture();
    heartbeat = startHeartbeat({
      config: { ...baseConfig, timeoutMs: 50, webhook: { url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`, auth: { type: 'none' }, caFile: null } },
      identity: { instance: 'shop-1', site: null, version: '1.0.0' },
      status: () => document,
      agentSeries: async () => '',
      log,
    });
    const line = await waitUntil(async () => lines.find((l) => l.receiver === 'webhook' && l.level === 40), Boolean, { what: 'timeout logged' });
    expect(line!.reason).toBe('no answer within 50 ms');
    await heartbeat.stop();
    heartbeat = null;
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
  });

  describe('over HTTPS with a private CA', () => {
    let pki: TestPki;
    beforeAll(async () => {
      pki = await makeTestPki();
    }, 30_000);
    afterAll(async () => pki?.cleanup());

    it('trusts the configured CA and refuses a certificate it did not sign', async () => {
      const trusted = await receiver(createHttpsServer({ cert: pki.valid.cert, key: pki.valid.key }));
      const stranger = await receiver(createHttpsServer({ cert: pki.selfSigned.cert, key: pki.selfSigned.key }));
      const { log, lines } = logCapture();
      heartbeat = startHeartbeat({
        config: {
          ...baseConfig,
          pushgateway: { url: `https://127.0.0.1:${trusted.port}`, job: 'posdiag', auth: { type: 'none' }, caFile: pki.caFile },
          webhook: { url: `https://127.0.0.1:${stranger.port}/hb`, auth: { type: 'none' }, caFile: pki.caFile },
        },
        identity: { instance: 'shop-1', site: null, version: '1.0.0' },
        status: () => document,
        agentSeries: async () => '',
        log,
      });
      await waitUntil(async () => trusted.received.length, (n) => n >= 1, { what: 'push over HTTPS' });
      const refused = await waitUntil(async () => lines.find((l) => l.receiver === 'webhook' && l.level === 40), Boolean, { what: 'untrusted refused' });
      expect(String(refused!.reason)).toMatch(/SELF_SIGNED|self.signed/i);
      expect(stranger.received).toHaveLength(0);
      await heartbeat.stop();
      heartbeat = null;
      await trusted.close();
      await stranger.close();
    });
  });
});
