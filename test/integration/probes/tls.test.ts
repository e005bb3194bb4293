import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeTarget } from '../../../src/probes/network.js';
import type { TlsResult, TargetResult } from '../../../src/probes/types.js';
import { makeTestPki, type Leaf, type TestPki } from './helpers/certs.js';
import { loopbackDeps, target } from './helpers/deps.js';
import { tcpOpen, tlsServer, type Running } from './helpers/servers.js';

const tlsOf = (r: TargetResult): TlsResult => {
  const tls = r.layers.find((l): l is TlsResult => l.layer === 'tls');
  if (tls === undefined) throw new Error(`no TLS layer in ${JSON.stringify(r.layers)}`);
  return tls;
};

describe('TLS layer against loopback servers with throwaway certificates', () => {
  let pki: TestPki;
  const servers: Running[] = [];
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    pki = await makeTestPki();
    const leaves: Record<string, Leaf> = {
      valid: pki.valid,
      expiring: pki.expiringIn3Days,
      expired: pki.expired,
      wrongHost: pki.wrongHost,
      selfSigned: pki.selfSigned,
    };
    for (const [name, leaf] of Object.entries(leaves)) {
      const server = await tlsServer(leaf);
      servers.push(server);
      ports[name] = server.port;
    }
    const silent = await tcpOpen();
    servers.push(silent);
    ports.silent = silent.port;
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await pki?.cleanup();
  });

  const probe = (port: number, extra: { ca?: string; host?: string } = {}, options = {}) =>
    probeTarget(target({ host: 'localhost', port, tls: true, ...extra }), { timeoutMs: 2_000, ...options }, loopbackDeps());

  it('valid certificate from the configured CA: ok, protocol, days to expiry, verdict ok', async () => {
    const result = await probe(ports.valid!, { ca: pki.caFile });
    expect(tlsOf(result)).toMatchObject({
      ok: true,
      trust: 'ca-file',
      chainValid: true,
      hostnameMatch: true,
      problem: null,
      subject: 'valid',
      issuer: 'posdiag test CA',
    });
    expect(tlsOf(result).protocol).toMatch(/^TLSv1\.[23]$/);
    expect(tlsOf(result).daysToExpiry).toBeGreaterThan(364);
    expect(tlsOf(result).handshakeMs).toBeGreaterThanOrEqual(0);
    expect(result.verdict.status).toBe('ok');
  });

  it('an IP host is matched against the IP SAN', async () => {
    const result = await probe(ports.valid!, { ca: pki.caFile, host: '127.0.0.1' });
    expect(tlsOf(result)).toMatchObject({ ok: true, hostnameMatch: true });
  });

  it('the same certificate checked against the system store is untrusted', async () => {
    const result = await probe(ports.valid!);
    expect(tlsOf(result)).toMatchObject({ ok: false, trust: 'system', chainValid: false, problem: 'untrusted_chain', code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(result.verdict).toMatchObject({ status: 'down', failedLayer: 'tls', conditions: ['network.tls_problem'] });
  });

  it('expiring in 3 days: handshake ok, but tls_problem (degraded) under a 14-day warning', async () => {
    const result = await probe(ports.expiring!, { ca: pki.caFile });
    const tls = tlsOf(result);
    expect(tls.ok).toBe(true);
    expect(tls.daysToExpiry).toBeGreaterThan(2.9);
    expect(tls.daysToExpiry).toBeLessThanOrEqual(3);
    expect(result.verdict).toMatchObject({ status: 'degraded', failedLayer: null, conditions: ['network.tls_problem'] });
    expect(result.verdict.reason).toMatch(/^certificate expires in (2\.9|3\.0) days/);

    const relaxed = await probe(ports.expiring!, { ca: pki.caFile }, { tlsExpiryWarningDays: 2 });
    expect(relaxed.verdict.status).toBe('ok');
  });

  it('expired: tls_problem, down', async () => {
    const result = await probe(ports.expired!, { ca: pki.caFile });
    expect(tlsOf(result)).toMatchObject({ ok: false, problem: 'expired', code: 'CERT_HAS_EXPIRED' });
    expect(tlsOf(result).daysToExpiry).toBeLessThan(0);
    expect(tlsOf(result).reason).toMatch(/^certificate expired on /);
    expect(result.verdict).toMatchObject({ status: 'down', failedLayer: 'tls', conditions: ['network.tls_problem'] });
  });

  it('certificate for another host: chain fine, host name does not match', async () => {
    const result = await probe(ports.wrongHost!, { ca: pki.caFile });
    expect(tlsOf(result)).toMatchObject({ ok: false, chainValid: true, hostnameMatch: false, problem: 'hostname_mismatch', code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    expect(tlsOf(result).reason).toBe('certificate is not valid for localhost');
    expect(result.verdict.conditions).toEqual(['network.tls_problem']);
  });

  it('self-signed: not trusted', async () => {
    const result = await probe(ports.selfSigned!);
    expect(tlsOf(result)).toMatchObject({ ok: false, chainValid: false, hostnameMatch: true, problem: 'self_signed', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(result.verdict.conditions).toEqual(['network.tls_problem']);
  });

  it('a server that accepts TCP but never answers the ClientHello: handshake_failed at the deadline', async () => {
    const result = await probe(ports.silent!, { ca: pki.caFile }, { timeoutMs: 300 });
    expect(result.layers.find((l) => l.layer === 'tcp')?.ok).toBe(true);
    expect(tlsOf(result)).toMatchObject({ ok: false, problem: 'handshake_failed', code: 'ETIMEDOUT' });
    expect(result.verdict).toMatchObject({ failedLayer: 'tls', conditions: ['network.tls_problem'] });
  });

  it('an unreadable CA file is a tls_problem that names the file', async () => {
    const result = await probe(ports.valid!, { ca: `${pki.dir}/missing.pem` });
    expect(tlsOf(result)).toMatchObject({ ok: false, problem: 'ca_unreadable', code: 'ENOENT' });
    expect(tlsOf(result).reason).toContain('missing.pem');
  });
});
