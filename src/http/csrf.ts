import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { sameOriginOnly } from './auth.js';
import { ApiError } from './errors.js';

/** The header the status page sends its per-process token in (a custom header also forces a CORS preflight). */
export const CSRF_HEADER = 'x-posdiag-csrf';

/** A fresh token per agent process, embedded in the page it serves. */
export function newCsrfToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Guards every state-changing request (check now, poll, simulator faults) against a malicious
 * page open in the shop's browser. A browser request (one that carries Origin or Sec-Fetch-Site)
 * must be same-origin, carry the page's token in `x-posdiag-csrf` and be JSON: a cross-site page
 * can neither read the token nor send a custom header or a JSON body without a CORS preflight,
 * which the agent never grants. Non-browser clients (curl, the till software, scripts) send none
 * of these headers and cannot be tricked into a request, so they need only the bearer token.
 */
export function stateChangeGuard(csrfToken: string) {
  const expected = digest(csrfToken);
  return async (request: FastifyRequest): Promise<void> => {
    await sameOriginOnly(request);
    const fromBrowser = request.headers.origin !== undefined || request.headers['sec-fetch-site'] !== undefined;
    if (!fromBrowser) return;
    const sent = request.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || !timingSafeEqual(digest(sent), expected)) throw new ApiError('CROSS_SITE', 'the status page token (x-posdiag-csrf) is missing or wrong');
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') throw new ApiError('CROSS_SITE', 'state-changing requests from a browser must be application/json');
  };
}

const loopbackName = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/i;

/**
 * Without a bearer token the agent is reachable only on this machine, and the Host header must
 * say so: a DNS-rebinding page (evil.example resolving to 127.0.0.1) is "same-origin" to the
 * browser, but its requests carry `Host: evil.example`.
 */
export async function loopbackHostOnly(request: FastifyRequest): Promise<void> {
  const host = request.headers.host ?? '';
  if (!loopbackName.test(host)) throw new ApiError('CROSS_SITE', 'without http.token the agent answers only to localhost / 127.0.0.1 / [::1]');
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
