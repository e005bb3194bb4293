import { afterEach, describe, expect, it } from 'vitest';
import { postJson, safeUrl } from '../../../src/notify/http-post.js';
import { Receiver } from './receiver.js';

const receivers: Receiver[] = [];
afterEach(async () => {
  while (receivers.length) await receivers.pop()?.down();
});

async function receiver(): Promise<Receiver> {
  const r = new Receiver();
  await r.up();
  receivers.push(r);
  return r;
}

describe('postJson', () => {
  it('sends user:password from the URL as Basic auth, not in the URL; logs never show them', async () => {
    const r = await receiver();
    const url = `http://posdiag:s%40cret@127.0.0.1:${r.port}/hook?token=abc`;
    expect(await postJson(url, '{"a":1}', {}, 2_000, new AbortController().signal)).toEqual({ ok: true, status: 200 });
    expect(r.received[0]?.headers.authorization).toBe(`Basic ${Buffer.from('posdiag:s@cret').toString('base64')}`);
    expect(r.received[0]?.path).toBe('/hook?token=abc');
    expect(safeUrl(url)).toBe(`http://127.0.0.1:${r.port}/hook`);
  });

  it('a non-2xx is a failure with status and body; a refused connection is a transport failure', async () => {
    const r = await receiver();
    r.status = 500;
    expect(await postJson(r.url, '{}', {}, 2_000, new AbortController().signal)).toEqual({ ok: false, transport: false, status: 500, error: 'HTTP 500: receiver says no' });
    await r.down();
    expect(await postJson(r.url, '{}', {}, 2_000, new AbortController().signal)).toMatchObject({ ok: false, transport: true, status: null, error: 'ECONNREFUSED' });
  });
});
