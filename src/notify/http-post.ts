import type { SendOutcome } from './schedule.js';

/**
 * One POST with a deadline. Any 2xx is an acknowledgement; anything else is a failure that
 * carries the status and the start of the body, so the log says what the receiver objected to.
 */
export async function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number, signal: AbortSignal): Promise<SendOutcome> {
  try {
    // fetch refuses URLs with user:password@ in them; send them as Basic auth instead, the way
    // curl and Alertmanager's own clients treat such URLs.
    const target = new URL(url);
    const auth: Record<string, string> = {};
    if (target.username || target.password) {
      auth.authorization = `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString('base64')}`;
      target.username = '';
      target.password = '';
    }
    const response = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth, ...headers },
      body,
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      redirect: 'error',
    });
    const text = await response.text().catch(() => '');
    if (response.ok) return { ok: true, status: response.status };
    return { ok: false, transport: false, status: response.status, error: `HTTP ${response.status}: ${text.slice(0, 200)}` };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? (error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    return { ok: false, transport: true, status: null, error: detail };
  }
}

/** The URL as it may appear in logs: no user, password or query (they may hold secrets). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '[invalid url]';
  }
}
