/**
 * The config of the provider's remote view: `http.tls` (files checked at load, with real
 * certificates made by openssl) and `heartbeat` (receivers, labels, credentials). Each problem
 * is paired with the exact line a technician would see.
 */
import { chmod, copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConfigResult, formatConfigError, parseConfigText } from '../../../src/config/index.js';
import { makeTestPki, type TestPki } from '../../integration/probes/helpers/certs.js';

let pki: TestPki;
let dir: string;

beforeAll(async () => {
  pki = await makeTestPki();
  dir = path.join(pki.dir, 'agent');
  await mkdir(dir);
  await writeFile(path.join(dir, 'cert.pem'), pki.valid.cert);
  await writeFile(path.join(dir, 'key.pem'), pki.valid.key);
  await writeFile(path.join(dir, 'other-key.pem'), pki.expired.key);
  await writeFile(path.join(dir, 'not-pem.txt'), 'hello\n');
  await copyFile(pki.caFile, path.join(dir, 'ca.pem'));
}, 30_000);

afterAll(async () => pki?.cleanup());

function parse(text: string): ConfigResult {
  return parseConfigText(text, 'posdiag.yaml', { cwd: dir });
}

function problems(text: string): string[] {
  const result = parse(text);
  return result.ok ? [] : result.errors.map(formatConfigError);
}

describe('http.tls', () => {
  it('accepts a matching certificate and key, relative to the working directory', () => {
    const result = parse('http:\n  tls: { cert: cert.pem, key: key.pem }\n');
    expect(result.ok && result.config.http.tls).toEqual({ cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem') });
  });

  it('names the file, line and key of a missing certificate', () => {
    expect(problems('http:\n  listen: 127.0.0.1:9137\n  tls:\n    cert: missing.pem\n    key: key.pem\n')).toEqual([
      `posdiag.yaml:4 http.tls.cert: cannot read ${path.join(dir, 'missing.pem')}: no such file`,
    ]);
  });

  it('says when the key does not belong to the certificate', () => {
    expect(problems('http:\n  tls:\n    cert: cert.pem\n    key: other-key.pem\n')).toEqual([
      `posdiag.yaml:4 http.tls.key: ${path.join(dir, 'other-key.pem')} is not the private key of the certificate in ${path.join(dir, 'cert.pem')}`,
    ]);
  });

  it('says when a file is not PEM, and never prints a key', () => {
    expect(problems('http:\n  tls: { cert: not-pem.txt, key: key.pem }\n')).toEqual([
      `posdiag.yaml:2 http.tls.cert: ${path.join(dir, 'not-pem.txt')} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
    ]);
    const swapped = problems('http:\n  tls: { cert: key.pem, key: cert.pem }\n').join('\n');
    expect(swapped).toContain('holds no PEM certificate');
    expect(swapped).not.toContain('PRIVATE KEY-----\n');
  });

  it('says when the agent may not read the key', async () => {
    if (process.getuid?.() === 0) {
      // root reads any file; a directory gives the same kind of message on every machine.
      expect(problems('http:\n  tls: { cert: cert.pem, key: . }\n')).toEqual([
        `posdiag.yaml:2 http.tls.key: cannot read ${dir}: is a directory, not a file`,
      ]);
      return;
    }
    await chmod(path.join(dir, 'key.pem'), 0o000);
    try {
      expect(problems('http:\n  tls: { cert: cert.pem, key: key.pem }\n')[0]).toContain('permission denied');
    } finally {
      await chmod(path.join(dir, 'key.pem'), 0o600);
    }
  });

  it('still requires a token on a public address when TLS is on', () => {
    expect(problems('http:\n  listen: 0.0.0.0:9137\n  tls: { cert: cert.pem, key: key.pem }\n')).toEqual([
      'posdiag.yaml:2 http.listen: 0.0.0.0:9137 can be reached from other machines, so http.token is required; set http.token to a secret of at least 16 characters, or listen on 127.0.0.1',
    ]);
  });
});

describe('heartbeat', () => {
  it('is off by default', () => {
    const result = parse('');
    expect(result.ok && result.config.heartbeat).toEqual({
      intervalMs: 60_000,
      timeoutMs: 10_000,
      instance: null,
      pushgateway: null,
      webhook: null,
    });
  });

  it('reads a pushgateway and a webhook with their credentials and CA', () => {
    const result = parse(`
heartbeat:
  interval: 30s
  instance: shop-0042
  pushgateway: { url: 'https://push.example.net:9091/pg', basicAuth: { username: shop, password: pw } }
  webhook: { url: 'http://hooks.example.net/hb', token: abc, ca: ca.pem }
`);
    expect(result.ok && result.config.heartbeat).toEqual({
      intervalMs: 30_000,
      timeoutMs: 10_000,
      instance: 'shop-0042',
      pushgateway: { url: 'https://push.example.net:9091/pg', job: 'posdiag', auth: { type: 'basic', username: 'shop', password: 'pw' }, caFile: null },
      webhook: { url: 'http://hooks.example.net/hb', auth: { type: 'bearer', token: 'abc' }, caFile: path.join(dir, 'ca.pem') },
    });
  });

  it('refuses URLs that are not http(s), carry credentials or a query, and says where', () => {
    expect(
      problems(`heartbeat:
  pushgateway: { url: 'ftp://push.example.net' }
  webhook:
    url: 'https://user:secret@hooks.example.net/hb'
`),
    ).toEqual([
      "posdiag.yaml:2 heartbeat.pushgateway.url: must start with http:// or https:// (got 'ftp:')",
      'posdiag.yaml:4 heartbeat.webhook.url: must not contain a user name or password; use token or basicAuth instead, which are never logged',
    ]);
    expect(problems("heartbeat:\n  webhook: { url: 'https://h.example.net/x?a=1' }\n")).toEqual([
      'posdiag.yaml:2 heartbeat.webhook.url: must not contain a query (?…) or fragment (#…)',
    ]);
    expect(problems("heartbeat:\n  webhook: { url: 'push.example.net' }\n")).toEqual([
      "posdiag.yaml:2 heartbeat.webhook.url: must be an http:// or https:// URL such as https://hooks.example.net/posdiag/heartbeat (got 'push.example.net')",
    ]);
  });

  it('refuses two kinds of credentials, odd label values, a missing CA file and a too short interval', () => {
    expect(
      problems(`heartbeat:
  interval: 10ms
  instance: 'shop 42'
  pushgateway:
    url: http://127.0.0.1:9091
    token: abc
    basicAuth: { username: a, password: b }
    ca: nope.pem
`),
    ).toEqual([
      'posdiag.yaml:2 heartbeat.interval: must be at least 100ms (got 10ms)',
      "posdiag.yaml:3 heartbeat.instance: must be 1 to 128 letters, digits, '.', '_' or '-' (got 'shop 42'); it becomes the instance label",
      'posdiag.yaml:7 heartbeat.pushgateway.basicAuth: set either token or basicAuth, not both',
    ]);
    expect(problems('heartbeat:\n  pushgateway:\n    url: http://127.0.0.1:9091\n    ca: nope.pem\n')).toEqual([
      `posdiag.yaml:4 heartbeat.pushgateway.ca: cannot read ${path.join(dir, 'nope.pem')}: no such file`,
    ]);
  });

  it('reports a misspelt key with a suggestion', () => {
    expect(problems('heartbeat:\n  pushgatway: { url: http://127.0.0.1:9091 }\n')).toEqual([
      'posdiag.yaml:2 heartbeat.pushgatway: unknown key; did you mean pushgateway?',
    ]);
  });
});
