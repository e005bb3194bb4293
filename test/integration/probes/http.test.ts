import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeTarget } from '../../../src/probes/network.js';
import type { HttpResult, TargetResult } from '../../../src/probes/types.js';
import { makeTestPki, type TestPki } from './helpers/certs.js';
import { loopbackDeps, target } from './helpers/deps.js';
import { httpServer, type Running } from './helpers/servers.js';

const httpOf = (r: TargetResult): HttpResult => {
  const http = r.layers.find((l): l is HttpResult => l.layer === 'http');
  if (http === undefined) throw new Error(`no HTTP layer: ${JSON.stringify(r.skipped)}`);
  return http;
};

describe('HTTP(S) layer', () => {
  let pki: TestPki;
  let https: Running;
  let plain: Running;
  const seen: { host?: string; path?: string }[] = [];

  beforeAll(async () => {
    pki = await makeTestPki();
    const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void => {
      seen.push({ host: req.headers.host, path: req.url });
      if (req.url === '/health') res.writeHead(200).end('ok');
      else if (req.url === '/skewed') res.writeHead(200, { Date: new Date(Date.now() - 3_600_000).toUTCString() }).end();
      else res.writeHead(503).end();
    };
    https = await httpServer(handler, pki.valid);
    plain = await httpServer(handler);
  });
  afterAll(async () => {
    await Promise.all([https?.close(), plain?.close()]);
    await pki?.cleanup();
  });

  const httpsTarget = (path: string, expectStatus = 200) =>
    target({ host: 'acquirer.test', port: https.port, tls: true, ca: pki.caFile, http: { path, expectStatus } });

  it('HTTPS with the expected status: ok, Host header is the configured name, Date skew measured', async () => {
    const result = await probeTarget(httpsTarget('/health'), { timeoutMs: 2_000 }, loopbackDeps());
    expect(httpOf(result)).toMatchObject({ ok: true, method: 'https', status: 200, expectStatus: 200, url: `https://acquirer.test:${https.port}/health` });
    expect(Math.abs(httpOf(result).dateSkewMs!)).toBeLessThan(5_000);
    expect(seen.at(-1)).toEqual({ host: `acquirer.test:${https.port}`, path: '/health' });
    expect(result.verdict.status).toBe('ok');
  });

  it('an unexpected status: acquirer_unreachable with the status in the reason', async () => {
    const result = await probeTarget(httpsTarget('/down'), { timeoutMs: 2_000 }, loopbackDeps());
    expect(httpOf(result)).toMatchObject({ ok: false, status: 503, code: 'HTTP_STATUS' });
    expect(result.verdict).toMatchObject({ status: 'down', failedLayer: 'http', conditions: ['network.acquirer_unreachable'] });
    expect(result.verdict.reason).toBe(`acquirer: GET https://acquirer.test:${https.port}/down answered 503, expected 200`);
  });

  it('a server clock an hour off: tls_problem (degraded) naming the clock', async () => {
    const result = await probeTarget(httpsTarget('/skewed'), { timeoutMs: 2_000 }, loopbackDeps());
    expect(httpOf(result).dateSkewMs).toBeGreaterThan(3_590_000);
    expect(result.verdict).toMatchObject({ status: 'degraded', conditions: ['network.tls_problem'] });
    expect(result.verdict.reason).toMatch(/clock is 360\d s ahead of the server's/);
  });

  it('plain HTTP when the target has no TLS', async () => {
    const t = target({ port: plain.port, http: { path: '/health', expectStatus: 200 } });
    const result = await probeTarget(t, { timeoutMs: 2_000 }, loopbackDeps());
    expect(result.layers.map((l) => l.layer)).toEqual(['dns', 'tcp', 'http']);
    expect(httpOf(result)).toMatchObject({ ok: true, method: 'http', status: 200 });
  });
});
