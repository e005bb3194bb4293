/**
 * Remote access end to end on loopback: a real `posdiag run` serving HTTPS from certificate files
 * made by openssl, with the bearer token on the API and /metrics; the real Prometheus scraping it
 * with the shipped config/prometheus/prometheus-remote.yml (paths pointed at the test's files);
 * and the refusal to start with a key that is not the certificate's.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentUnderTest, startAgentProcess } from '../helpers/agent.js';
import { freePort } from '../helpers/ports.js';
import { repoRoot, runPosdiag } from '../helpers/process.js';
import { requireTool } from '../helpers/tools.js';
import { waitUntil } from '../helpers/wait.js';
import { makeTestPki, type TestPki } from './probes/helpers/certs.js';

const token = 'remote-test-token-0123456789';

/** One HTTPS GET trusting only `ca`: status and body, or the TLS error's code. */
function httpsGet(url: string, { ca, authorization }: { ca?: string; authorization?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = https.get(url, { ...(ca ? { ca } : {}), headers: authorization ? { authorization } : {}, agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
  });
}

describe('remote access: HTTPS with a bearer token', () => {
  let pki: TestPki;
  let dir: string;
  let agent: AgentUnderTest;
  let prometheus: ChildProcess | null = null;

  beforeAll(async () => {
    pki = await makeTestPki();
    dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-remote-'));
    await writeFile(path.join(dir, 'cert.pem'), pki.valid.cert, { mode: 0o600 });
    await writeFile(path.join(dir, 'key.pem'), pki.valid.key, { mode: 0o600 });
    await writeFile(path.join(dir, 'other-key.pem'), pki.expired.key, { mode: 0o600 });
    agent = await startAgentProcess(`
http:
  listen: 127.0.0.1:0
  token: ${token}
  tls: { cert: ${dir}/cert.pem, key: ${dir}/key.pem }
storage: { dir: ${dir}/data }
devices:
  - id: printer-1
    driver: escpos
    transport: { type: simulator }
    pollInterval: 500ms
selfCheck: { cron: null }
`);
  }, 60_000);

  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    await agent?.stop();
    await pki?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('listens with HTTPS on loopback, with a certificate a client checks against the CA', async () => {
    expect(agent.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const health = await httpsGet(`${agent.url}/healthz`, { ca: readFileSync(pki.caFile, 'utf8') });
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok' });
    // Without the CA the chain is not trusted: the server really presents the test certificate.
    await expect(httpsGet(`${agent.url}/healthz`, {})).rejects.toMatchObject({ code: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/) });
  });

  it('requires the token on /metrics and the API, not on /healthz', async () => {
    const ca = readFileSync(pki.caFile, 'utf8');
    for (const route of ['/metrics', '/api/v1/status']) {
      expect((await httpsGet(`${agent.url}${route}`, { ca })).status, route).toBe(401);
      expect((await httpsGet(`${agent.url}${route}`, { ca, authorization: `Bearer ${token}x` })).status, route).toBe(401);
      expect((await httpsGet(`${agent.url}${route}`, { ca, authorization: `Basic ${token}` })).status, route).toBe(401);
      expect((await httpsGet(`${agent.url}${route}`, { ca, authorization: `Bearer ${token}` })).status, route).toBe(200);
    }
    const metrics = await httpsGet(`${agent.url}/metrics`, { ca, authorization: `Bearer ${token}` });
    expect(metrics.body).toContain('posdiag_overall_state{state="ok"}');
  });

  it('is scraped by the real Prometheus with the shipped remote config (bearer token, TLS)', async () => {
    const prometheusBin = requireTool('prometheus', 'prometheus');
    const promtool = requireTool('promtool', 'prometheus');
    const shipped = path.join(repoRoot, 'config/prometheus/prometheus-remote.yml');
    const syntax = spawnSync(promtool, ['check', 'config', '--syntax-only', shipped], { encoding: 'utf8' });
    expect(syntax.status, syntax.stdout + syntax.stderr).toBe(0);

    // The shipped file with its placeholders pointed at this test's token, CA and agent.
    const config = parse(readFileSync(shipped, 'utf8')) as {
      global: Record<string, string>;
      rule_files: string[];
      scrape_configs: Array<{ job_name: string; authorization?: { credentials_file: string }; tls_config?: { ca_file: string }; static_configs: Array<{ targets: string[] }> }>;
    };
    await writeFile(path.join(dir, 'token'), token);
    config.global = { scrape_interval: '1s', evaluation_interval: '1s' };
    config.rule_files = [path.join(repoRoot, 'config/prometheus/posdiag-rules.yml')];
    const job = config.scrape_configs.find((c) => c.job_name === 'posdiag')!;
    job.authorization!.credentials_file = path.join(dir, 'token');
    job.tls_config!.ca_file = pki.caFile;
    job.static_configs[0]!.targets = [agent.url.replace(/^https:\/\//, '')];
    // No Pushgateway in this test (test/integration/pushgateway.test.ts has the real one).
    config.scrape_configs = [job];
    const configFile = path.join(dir, 'prometheus.yml');
    await writeFile(configFile, stringify(config));
    const check = spawnSync(promtool, ['check', 'config', configFile], { encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);

    const port = await freePort();
    const promUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(prometheusBin, [`--config.file=${configFile}`, `--storage.tsdb.path=${path.join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`], {
      stdio: 'ignore',
    });
    const query = async (expr: string) => {
      const response = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
      return ((await response.json()) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } }).data.result;
    };
    await waitUntil(() => query('up{job="posdiag"}'), (r) => r[0]?.value[1] === '1', { what: 'up == 1 over HTTPS', timeoutMs: 40_000, everyMs: 250 });
    const overall = await waitUntil(() => query('posdiag_overall_state == 1'), (r) => r.length === 1, { what: 'overall state scraped', timeoutMs: 20_000, everyMs: 250 });
    expect(overall[0]!.metric).toMatchObject({ job: 'posdiag', site: 'shop-0001' });
  }, 90_000);

  it('refuses to start when the key is not the certificate’s, naming file, line and key', async () => {
    const config = path.join(dir, 'bad.yaml');
    await writeFile(config, `http:\n  listen: 127.0.0.1:0\n  tls:\n    cert: ${dir}/cert.pem\n    key: ${dir}/other-key.pem\n`);
    const { code, stderr } = await runPosdiag(['run', '--config', config]);
    expect(stderr).toContain(`${config}:5 http.tls.key: ${dir}/other-key.pem is not the private key of the certificate in ${dir}/cert.pem`);
    expect(code).toBe(2);
  });

  it('never writes the token or the private key to its log', () => {
    const log = agent.process.tail(10_000);
    expect(log).not.toContain(token);
    const keyBody = pki.valid.key.split('\n').find((line) => line.length > 40)!;
    expect(log).not.toContain(keyBody);
  });
});
