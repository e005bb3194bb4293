import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { HealthModel } from '../../../src/health/model.js';
import { PathHealth } from '../../../src/health/path-health.js';
import { buildServer } from '../../../src/http/server.js';
import { createAgentMetrics } from '../../../src/metrics/registry.js';
import type { SimulatorEndpoint } from '../../../src/devices/simulator-endpoint.js';

const silent = pino({ level: 'silent' });
const at = new Date('2026-11-23T09:00:00.000Z');

function fakeSimulatorEndpoint(): SimulatorEndpoint {
  let faults: Record<string, unknown> = { paperOut: false };
  return {
    simulator: {
      receive: () => undefined,
      faults: () => faults,
      setFaults: (changes) => {
        for (const key of Object.keys(changes)) if (!(key in faults)) throw new Error(`unknown fault '${key}'; known: paperOut`);
        faults = { ...faults, ...changes };
        return faults;
      },
      close: () => undefined,
    },
    attach: () => undefined,
    close: () => undefined,
  };
}

async function app(token: string | null = null): Promise<{ app: FastifyInstance; polled: string[] }> {
  const health = new HealthModel();
  health.addDevice({ id: 'printer-1', name: 'Counter', driver: 'escpos', simulated: true, transport: 'simulator' });
  const polled: string[] = [];
  const paths = new PathHealth();
  const server = await buildServer({
    health,
    paths,
    metrics: createAgentMetrics(() => ({ devices: health.allDevices(), network: paths.network(), host: paths.host() }), '9.9.9'),
    log: silent,
    version: '9.9.9',
    startedAt: at,
    token,
    simulators: new Map([['printer-1', fakeSimulatorEndpoint()]]),
    pollNow: (id) => polled.push(id ?? '*'),
    now: () => new Date(at.getTime() + 61_000),
  });
  return { app: server, polled };
}

let current: FastifyInstance | null = null;
afterEach(async () => {
  await current?.close();
  current = null;
});

describe('HTTP API', () => {
  it('answers /healthz with version and uptime', async () => {
    const { app: server } = await app();
    current = server;
    const response = await server.inject('/healthz');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', version: '9.9.9', uptimeSeconds: 61 });
  });

  it('serves the status contract with nulls for what is not known yet', async () => {
    const { app: server } = await app();
    current = server;
    const body = (await server.inject('/api/v1/status')).json();
    expect(body.overall).toBe('unknown');
    expect(body.network).toMatchObject({ verdict: 'unknown', targets: [], conditions: [] });
    expect(body.host).toEqual({ ok: null, checkedAt: null, checks: [], conditions: [] });
    expect(body.alerts).toEqual([]);
    expect(body.devices[0]).toMatchObject({
      id: 'printer-1',
      driver: 'escpos',
      simulated: true,
      connected: false,
      power: 'unknown',
      printer: { status: 'unknown', coverOpen: null },
      cardReader: null,
      lastPollAt: null,
      conditions: [],
    });
  });

  it('requires the bearer token on the API but not on /healthz', async () => {
    const { app: server } = await app('a-long-enough-secret-token');
    current = server;
    expect((await server.inject('/healthz')).statusCode).toBe(200);
    const denied = await server.inject('/api/v1/status');
    expect(denied.statusCode).toBe(401);
    expect(denied.json().error.code).toBe('UNAUTHORIZED');
    const wrong = await server.inject({ url: '/api/v1/status', headers: { authorization: 'Bearer wrong' } });
    expect(wrong.statusCode).toBe(401);
    const allowed = await server.inject({ url: '/api/v1/status', headers: { authorization: 'Bearer a-long-enough-secret-token' } });
    expect(allowed.statusCode).toBe(200);
  });

  it('gives stable error codes for unknown routes, devices and malformed bodies', async () => {
    const { app: server } = await app();
    current = server;
    const missing = await server.inject('/nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('NOT_FOUND');
    expect((await server.inject('/api/v1/devices/ghost')).json().error.code).toBe('UNKNOWN_DEVICE');
    const malformed = await server.inject({
      method: 'POST',
      url: '/api/v1/simulators/printer-1/faults',
      headers: { 'content-type': 'application/json' },
      payload: '{"paperOut": tru',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('BAD_REQUEST');
    const unknownFault = await server.inject({ method: 'POST', url: '/api/v1/simulators/printer-1/faults', payload: { paperOutt: true } });
    expect(unknownFault.statusCode).toBe(400);
    expect(unknownFault.json().error.message).toContain("unknown fault 'paperOutt'");
  });

  it('switches simulator faults from the same origin and refuses cross-site requests', async () => {
    const { app: server } = await app();
    current = server;
    const ok = await server.inject({ method: 'POST', url: '/api/v1/simulators/printer-1/faults', payload: { paperOut: true } });
    expect(ok.json()).toEqual({ paperOut: true });
    const crossSite = await server.inject({
      method: 'POST',
      url: '/api/v1/simulators/printer-1/faults',
      headers: { origin: 'http://evil.example', host: '127.0.0.1:9137' },
      payload: { paperOut: false },
    });
    expect(crossSite.statusCode).toBe(403);
    expect(crossSite.json().error.code).toBe('CROSS_SITE');
    const form = await server.inject({
      method: 'POST',
      url: '/api/v1/simulators/printer-1/faults',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'paperOut=false',
    });
    expect(form.statusCode).toBe(415);
    expect((await server.inject('/api/v1/simulators/printer-1/faults')).json()).toEqual({ paperOut: true });
  });

  it('serves Prometheus metrics behind the same token as the API', async () => {
    const { app: server } = await app('a-long-enough-secret-token');
    current = server;
    expect((await server.inject('/metrics')).statusCode).toBe(401);
    const response = await server.inject({ url: '/metrics', headers: { authorization: 'Bearer a-long-enough-secret-token' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain; version=0.0.4');
    expect(response.body).toContain('posdiag_build_info{version="9.9.9"} 1');
    expect(response.body).toContain('posdiag_device_up{device="printer-1",driver="escpos",simulated="true"} 0');
    expect(response.body).toContain('posdiag_device_power_state{device="printer-1",power_state="unknown"} 1');
    expect(response.body).toContain('posdiag_printer_status{device="printer-1",status="unknown"} 1');
    expect(response.body).toContain('posdiag_process_resident_memory_bytes');
  });

  it('asks a device to poll now', async () => {
    const { app: server, polled } = await app();
    current = server;
    const response = await server.inject({ method: 'POST', url: '/api/v1/devices/printer-1/poll' });
    expect(response.statusCode).toBe(202);
    expect(polled).toEqual(['printer-1']);
  });
});
