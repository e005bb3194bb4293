import { describe, expect, it } from 'vitest';
import { buildBundle, bundleFileName } from '../../../src/bundle/build.js';
import { REDACTED, redactSecrets, redactUrlCredentials, scrubStrings } from '../../../src/bundle/redact.js';

const token = 'shop-secret-token-0123456789';

describe('redactSecrets', () => {
  it('replaces values under secret-looking keys at any depth, and reports them', () => {
    const { value, secrets } = redactSecrets({
      http: { listen: { host: '127.0.0.1', port: 9137 }, token },
      heartbeat: { sinks: [{ url: 'https://hb.example/in', auth: { type: 'basic', username: 'shop', password: 'pw-123456' } }] },
      notify: { webhook: { secret: 'whsec-abcdef', apiKey: 'k-999999' } },
    });
    expect(value.http.token).toBe(REDACTED);
    expect(value.http.listen).toEqual({ host: '127.0.0.1', port: 9137 });
    expect(value.heartbeat.sinks[0]!.auth).toEqual({ type: 'basic', username: 'shop', password: REDACTED });
    expect(value.notify.webhook).toEqual({ secret: REDACTED, apiKey: REDACTED });
    expect(secrets.sort()).toEqual([token, 'k-999999', 'pw-123456', 'whsec-abcdef'].sort());
  });

  it('keeps null: "no token configured" is a fact support needs', () => {
    expect(redactSecrets({ http: { token: null } }).value).toEqual({ http: { token: null } });
  });

  it('cuts credentials out of URLs', () => {
    const found = new Set<string>();
    expect(redactUrlCredentials('https://user:p%40ss@hooks.example/x?token=abc123&room=1', found)).toBe(
      `https://${encodeURIComponent(REDACTED)}@hooks.example/x?token=${encodeURIComponent(REDACTED)}&room=1`,
    );
    expect([...found].sort()).toEqual(['abc123', 'p@ss']);
    expect(redactUrlCredentials('https://hooks.example/x?room=1')).toBe('https://hooks.example/x?room=1');
    expect(redactUrlCredentials('not a url')).toBe('not a url');
  });
});

describe('scrubStrings', () => {
  it('removes every occurrence of a secret from every string, keys included', () => {
    const input = { logs: [`GET /x?token=${token}`, { msg: `auth ${token} failed`, [token]: 1 }] };
    expect(JSON.stringify(scrubStrings(input, [token]))).not.toContain(token);
  });

  it('ignores very short values that would match innocent text', () => {
    expect(scrubStrings({ a: 'on' }, ['on'])).toEqual({ a: 'on' });
  });
});

describe('buildBundle', () => {
  it('carries no secret anywhere, even when a log line or an error repeats it', () => {
    const bundle = buildBundle({
      now: new Date('2026-12-01T09:15:00Z'),
      source: 'agent',
      agent: { version: '1.0.0', node: 'v20', platform: 'linux', arch: 'x64', hostname: 'till-1', pid: 1, startedAt: null, uptimeSeconds: null },
      config: { http: { token }, devices: [] },
      status: null,
      history: null,
      logLines: [JSON.stringify({ level: 30, msg: `client sent ${token}` }), 'plain text line'],
    });
    const text = JSON.stringify(bundle);
    expect(text).not.toContain(token);
    expect(bundle.logs).toEqual([{ level: 30, msg: `client sent ${REDACTED}` }, 'plain text line']);
    expect((bundle.config as { http: { token: string } }).http.token).toBe(REDACTED);
    expect(bundle.kind).toBe('posdiag-support-bundle');
  });

  it('names files by time, in a form every file system accepts', () => {
    expect(bundleFileName(new Date('2026-12-01T09:15:07.123Z'))).toBe('posdiag-bundle-20261201-091507.json');
  });
});
