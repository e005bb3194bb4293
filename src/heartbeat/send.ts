/**
 * One HTTP(S) request to a heartbeat receiver, with a deadline, an optional private CA and
 * credentials in a header (never in the URL, which is logged). No redirects are followed: a
 * receiver that moved is a configuration to fix, and following one could send the credentials
 * elsewhere.
 */
import http from 'node:http';
import https from 'node:https';
import type { HeartbeatSinkAuth } from '../config/index.js';

export interface Request {
  url: string;
  method: 'PUT' | 'POST';
  contentType: string;
  body: string;
  auth: HeartbeatSinkAuth;
  /** PEM text of the CA to trust instead of the system store. */
  ca: string | null;
  timeoutMs: number;
}

/** How much of a refusing receiver's answer goes into the log line. */
const MAX_REASON_BODY = 200;

/** Resolves when the receiver answered 2xx; rejects with an Error saying what went wrong. */
export function send(request: Request): Promise<void> {
  const url = new URL(request.url);
  const client = url.protocol === 'https:' ? https : http;
  const headers: Record<string, string> = {
    'content-type': request.contentType,
    'content-length': String(Buffer.byteLength(request.body)),
    'user-agent': 'posdiag-heartbeat',
  };
  if (request.auth.type === 'bearer') headers.authorization = `Bearer ${request.auth.token}`;
  if (request.auth.type === 'basic') {
    headers.authorization = `Basic ${Buffer.from(`${request.auth.username}:${request.auth.password}`).toString('base64')}`;
  }
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: request.method,
        headers,
        // A fresh connection per beat: one a minute does not need a pool, and a stale pooled
        // socket after a line drop would cost one failed beat.
        agent: false,
        ...(request.ca !== null ? { ca: request.ca } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < MAX_REASON_BODY) chunks.push(chunk);
          size += chunk.length;
        });
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve();
          const text = Buffer.concat(chunks).toString('utf8').slice(0, MAX_REASON_BODY).replace(/\s+/g, ' ').trim();
          reject(new Error(`HTTP ${status}${text ? `: ${text}` : ''}`));
        });
        response.on('error', reject);
      },
    );
    req.setTimeout(request.timeoutMs, () => req.destroy(new Error(`no answer within ${request.timeoutMs} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) => reject(error.code ? new Error(`${error.code}: ${error.message}`) : error));
    req.end(request.body);
  });
}
