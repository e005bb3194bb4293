import { describe, expect, it } from 'vitest';
import { DEFAULT_PROBE_OPTIONS } from '../../../src/probes/options.js';
import type { RttStats } from '../../../src/probes/rtt-window.js';
import type {
  DnsResult,
  GatewayResult,
  HttpResult,
  IcmpResult,
  LinkResult,
  TargetLayerResult,
  TcpResult,
  TlsResult,
} from '../../../src/probes/types.js';
import { overallVerdict, targetVerdict, type PathEvidence } from '../../../src/probes/verdict.js';

const base = { method: 'tcp' as const, durationMs: 1, reason: null, code: null };
const fail = (reason: string) => ({ ok: false, reason, code: 'X' });

const dns = (ok = true): DnsResult => ({ ...base, layer: 'dns', method: 'system-resolver', ok, host: 'h', addresses: [], address: null, ...(ok ? {} : fail('dns broke')) });
const icmp = (ok = true): IcmpResult => ({
  ...base, layer: 'icmp', method: 'icmp', ok, address: 'a', fallbackReason: null,
  sent: 3, received: ok ? 3 : 0, lossPercent: ok ? 0 : 100, rttsMs: [], minMs: null, avgMs: null, maxMs: null, jitterMs: null,
});
const tcp = (ok = true, connectMs: number | null = 5): TcpResult => ({ ...base, layer: 'tcp', ok, address: 'a', port: 443, connectMs: ok ? connectMs : null, ...(ok ? {} : fail('refused')) });
const tls = (ok = true, daysToExpiry = 200): TlsResult => ({
  ...base, layer: 'tls', method: 'tls', ok, protocol: 'TLSv1.3', trust: 'system', chainValid: ok, hostnameMatch: true, subject: null, issuer: null,
  validFrom: null, validTo: '2030-01-01T00:00:00.000Z', daysToExpiry, handshakeMs: 1, problem: ok ? null : 'expired', ...(ok ? {} : fail('expired')),
});
const http = (ok = true, dateSkewMs: number | null = 0): HttpResult => ({
  ...base, layer: 'http', method: 'https', ok, url: 'u', status: ok ? 200 : 503, expectStatus: 200, dateSkewMs, ...(ok ? {} : fail('503')),
});
const link = (ok = true): LinkResult => ({ ...base, layer: 'link', method: 'sysfs', ok, active: [], routeInterface: null, ...(ok ? {} : fail('no link')) });
const gateway = (ok = true): GatewayResult => ({ ...base, layer: 'gateway', method: 'icmp', ok, gateway: 'g', interface: null, rttMs: null, ...(ok ? {} : fail('no gw')) });
const window = (over: Partial<RttStats>): RttStats => ({
  method: 'icmp', rounds: 5, spanMs: 1, sent: 20, received: 20, lossPercent: 0, rttsMs: [], minMs: 10, avgMs: 10, maxMs: 10, jitterMs: 0, ...over,
});

const o = DEFAULT_PROBE_OPTIONS;
const verdict = (layers: TargetLayerResult[], w: RttStats | null = null, path?: PathEvidence) => targetVerdict({ target: 't', layers, window: w, path }, o);

describe('targetVerdict', () => {
  it.each([
    ['dns', [dns(false)], 'network.dns_failure'],
    ['tcp', [dns(), tcp(false)], 'network.acquirer_unreachable'],
    ['tls', [dns(), tcp(), tls(false)], 'network.tls_problem'],
    ['http', [dns(), tcp(), tls(), http(false)], 'network.acquirer_unreachable'],
  ] as const)('first failing layer %s → %s', (layer, layers, condition) => {
    expect(verdict([...layers])).toMatchObject({ status: 'down', failedLayer: layer, conditions: [condition] });
  });

  it('all fine → ok, no conditions', () => {
    expect(verdict([dns(), icmp(), tcp(), tls(), http()], window({}))).toEqual({ status: 'ok', failedLayer: null, conditions: [], findings: [], reason: null });
  });

  it('ICMP failing alone is never acquirer_unreachable (100 % loss = filtered)', () => {
    expect(verdict([dns(), icmp(false), tcp()], window({ received: 0, lossPercent: 100, avgMs: null }))).toMatchObject({ status: 'ok', conditions: [] });
  });

  it('ICMP and TCP both failing: the cause is TCP, not ICMP', () => {
    expect(verdict([dns(), icmp(false), tcp(false)])).toMatchObject({ failedLayer: 'tcp', conditions: ['network.acquirer_unreachable'] });
  });

  it('loss at the threshold over enough samples → degraded', () => {
    const v = verdict([dns(), icmp(), tcp()], window({ sent: 20, received: 18, lossPercent: 10 }));
    expect(v).toMatchObject({ status: 'degraded', failedLayer: null, conditions: ['network.degraded'] });
    expect(v.reason).toBe('10% loss over the last 20 echo requests (threshold 10%)');
  });

  it('loss with too few samples is not judged yet', () => {
    expect(verdict([dns(), icmp(), tcp()], window({ sent: 6, received: 3, lossPercent: 50 })).status).toBe('ok');
  });

  it('latency from the window, else from the TCP connect', () => {
    expect(verdict([dns(), icmp(), tcp()], window({ avgMs: 450 })).reason).toBe('average round trip 450 ms (threshold 400 ms)');
    expect(verdict([dns(), tcp(true, 399)]).status).toBe('ok');
    expect(verdict([dns(), tcp(true, 400)])).toMatchObject({ status: 'degraded', conditions: ['network.degraded'], findings: [{ layer: 'tcp' }] });
  });

  it('a certificate expiring within the warning days → tls_problem, degraded', () => {
    expect(verdict([dns(), tcp(), tls(true, 13.9)])).toMatchObject({ status: 'degraded', conditions: ['network.tls_problem'] });
    expect(verdict([dns(), tcp(), tls(true, 14)]).status).toBe('ok');
  });

  it('clock skew against the server Date → tls_problem', () => {
    const v = verdict([dns(), tcp(), tls(), http(true, -400_000)]);
    expect(v).toMatchObject({ status: 'degraded', conditions: ['network.tls_problem'] });
    expect(v.reason).toBe("this computer's clock is 400 s behind the server's");
  });

  it('several soft findings keep path order and unique ids', () => {
    const v = verdict([dns(), icmp(), tcp(), tls(true, 3)], window({ avgMs: 900, sent: 30, received: 15, lossPercent: 50 }));
    expect(v.conditions).toEqual(['network.degraded', 'network.tls_problem']);
    expect(v.findings.map((f) => f.layer)).toEqual(['icmp', 'icmp', 'tls']);
  });

  it('link before gateway before the target layers, unless a target got through', () => {
    const broken = [dns(false)];
    expect(verdict(broken, null, { link: link(false), gateway: gateway(false), proven: false })).toMatchObject({ failedLayer: 'link', conditions: ['network.link_down'] });
    expect(verdict(broken, null, { link: link(), gateway: gateway(false), proven: false })).toMatchObject({ failedLayer: 'gateway', conditions: ['network.gateway_unreachable'] });
    expect(verdict(broken, null, { link: link(), gateway: gateway(false), proven: true })).toMatchObject({ failedLayer: 'dns', conditions: ['network.dns_failure'] });
  });
});

describe('overallVerdict', () => {
  const okPath: PathEvidence = { link: link(), gateway: gateway(), proven: true };
  const t = (layers: TargetLayerResult[]) => ({ verdict: verdict(layers) });

  it('every target down → down; some → degraded; none → ok', () => {
    expect(overallVerdict(okPath, [t([dns(false)]), t([dns(), tcp(false)])])).toMatchObject({
      status: 'down',
      failedLayer: 'dns',
      conditions: ['network.dns_failure', 'network.acquirer_unreachable'],
    });
    expect(overallVerdict(okPath, [t([dns(), tcp()]), t([dns(), tcp(false)])])).toMatchObject({ status: 'degraded', failedLayer: 'tcp', conditions: ['network.acquirer_unreachable'] });
    expect(overallVerdict(okPath, [t([dns(), tcp()])]).status).toBe('ok');
  });

  it('a path failure is the one headline', () => {
    const v = overallVerdict({ link: link(), gateway: gateway(false), proven: false }, [t([dns(false)])]);
    expect(v).toMatchObject({ status: 'down', failedLayer: 'gateway', conditions: ['network.gateway_unreachable'], reason: 'no gw' });
  });

  it('no targets: the path alone decides', () => {
    expect(overallVerdict({ link: link(), gateway: gateway(), proven: false }, []).status).toBe('ok');
    expect(overallVerdict({ link: link(false), gateway: gateway(), proven: false }, []).conditions).toEqual(['network.link_down']);
  });
});
