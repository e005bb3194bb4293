import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';

/**
 * Bearer-token check for everything but /healthz. Both sides are hashed first so the comparison
 * takes the same time whatever the token's length, and a wrong guess learns nothing.
 */
export function bearerTokenHook(token: string) {
  const expected = digest(token);
  return async (request: FastifyRequest) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1] || !timingSafeEqual(digest(match[1]), expected)) {
      throw new ApiError('UNAUTHORIZED');
    }
  };
}

/**
 * Refuses state-changing requests a browser sends on behalf of another site (a malicious page
 * open on the shop PC must not switch anything). Non-browser clients send neither header.
 */
export async function sameOriginOnly(request: FastifyRequest): Promise<void> {
  if (request.headers['sec-fetch-site'] === 'cross-site') throw new ApiError('CROSS_SITE');
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new ApiError('CROSS_SITE');
  }
  if (originHost !== request.headers.host) throw new ApiError('CROSS_SITE');
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
