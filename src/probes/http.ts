/**
 * HTTP layer (optional per target): one GET with the expected status. Runs only after TCP (and
 * TLS, when the target uses it) passed, with full certificate verification against the same
 * trust as the TLS layer. The server's Date header gives a cheap clock-skew reading.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { withDeadline } from './deadline.js';
import { describeError } from './errors.js';
import { serverName, trustFor } from './tls.js';
import type { HttpResult, LayerProbe, TargetContext } from './types.js';

export const probeHttp: LayerProbe<TargetContext, HttpResult> = async (ctx) => {
  const { target, deps } = ctx;
  const spec = target.http ?? { path: '/', expectStatus: 200 };
  const address = ctx.address ?? target.host;
  const method = target.tls ? 'https' : 'http';
  const hostHeader = isIP(target.host) === 6 ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
  const url = `${method}://${hostHeader}${spec.path}`;
  const started = deps.monotonic();
  const elapsed = (): number => Math.round((deps.monotonic() - started) * 1000) / 1000;
  const base = { layer: 'http' as const, method, url, expectStatus: spec.expectStatus } as const;
  try {
    const ca = target.tls ? (await trustFor(ctx)).ca : undefined;
    const response = await withDeadline(ctx.options.timeoutMs, ctx.signal, (signal) =>
      new Promise<IncomingMessage>((resolve, reject) => {
        const send = target.tls ? httpsRequest : httpRequest;
        const req = send({
          host: address,
          port: target.port,
          path: spec.path,
          method: 'GET',
          headers: { Host: hostHeader, 'User-Agent': 'posdiag-probe', Connection: 'close' },
          agent: false,
          signal,
          ...(target.tls ? { servername: serverName(target.host), ca, rejectUnauthorized: true } : {}),
        });
        req.once('response', resolve);
        req.once('error', reject);
        req.end();
      }),
    );
    response.resume();
    response.destroy();
    const status = response.statusCode ?? null;
    const date = Date.parse(response.headers.date ?? '');
    const dateSkewMs = Number.isNaN(date) ? null : deps.now() - date;
    const ok = status === spec.expectStatus;
    return {
      ...base,
      ok,
      durationMs: elapsed(),
      status,
      dateSkewMs,
      code: ok ? null : 'HTTP_STATUS',
      reason: ok ? null : `GET ${url} answered ${status ?? 'nothing'}, expected ${spec.expectStatus}`,
    };
  } catch (error) {
    const { code, reason } = describeError(error, `GET ${url}`);
    return { ...base, ok: false, durationMs: elapsed(), status: null, dateSkewMs: null, code, reason };
  }
};
