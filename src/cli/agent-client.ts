/**
 * Talking to the agent that runs on this machine, as its own config describes it: `posdiag
 * bundle` and `posdiag health` (the container health check) use it.
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { Config } from '../config/index.js';

/** The agent on this machine, at the configured port (a wildcard listen is reached on loopback). */
export function agentUrl(config: Config): string | null {
  const { host, port } = config.http.listen;
  if (port === 0) return null;
  const local = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const shown = local.includes(':') ? `[${local}]` : local;
  return `${config.http.tls ? 'https' : 'http'}://${shown}:${port}`;
}

/**
 * GET with the configured token. With TLS the agent's own certificate is the trust anchor: it is
 * usually self-signed and issued for the shop's name, not for 127.0.0.1.
 */
export async function getFromAgent(config: Config, url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  const ca = config.http.tls ? await readFile(config.http.tls.cert, 'utf8').catch(() => undefined) : undefined;
  return get(url, config.http.token, ca, timeoutMs);
}

function get(url: string, token: string | null, ca: string | undefined, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
    const options = { headers, timeout: timeoutMs, ...(ca ? { ca, checkServerIdentity: () => undefined } : {}) };
    const request = (url.startsWith('https:') ? https : http).get(url, options, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    request.on('error', reject);
  });
}
