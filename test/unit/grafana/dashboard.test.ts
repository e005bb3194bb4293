/**
 * config/grafana/posdiag-dashboard.json asks only for series the agent really exports: every
 * metric name in every PromQL expression must appear in the agent's own /metrics text (the same
 * createAgentMetrics the HTTP route serves, with the heartbeat's counters registered) or in what a
 * heartbeat pushes; `up` is the one series Prometheus records itself. Every expression must also
 * parse, which the real promtool checks.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { startHeartbeat } from '../../../src/heartbeat/index.js';
import { heartbeatSeries } from '../../../src/heartbeat/payload.js';
import { HealthModel } from '../../../src/health/model.js';
import { PathHealth } from '../../../src/health/path-health.js';
import { statusDocument } from '../../../src/http/status-document.js';
import { createAgentMetrics } from '../../../src/metrics/registry.js';
import { requireTool } from '../../helpers/tools.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const dashboardFile = path.join(root, 'config/grafana/posdiag-dashboard.json');

interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Array<{ expr: string; refId: string }>;
  panels?: Panel[];
}

const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8')) as {
  uid: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query?: { query: string } | string }> };
};
const allPanels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const expressions = allPanels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

/** Grafana's variables replaced by values Prometheus accepts. */
function concrete(expr: string): string {
  return expr.replaceAll('$__rate_interval', '5m').replace(/\$\{?(site|instance)\}?/g, '.*');
}

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/** Metric names in a PromQL expression: identifiers that are not functions, keywords or labels. */
export function metricNames(expr: string): string[] {
  const stripped = concrete(expr)
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // string literals
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\[[^\]]*\]/g, '') // range selectors
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ''); // label lists
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const word = match[0];
    const after = stripped.slice((match.index ?? 0) + word.length).trimStart();
    if (after.startsWith('(') || KEYWORDS.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return [...names];
}

/** Every series name the agent can export, read from its real exposition text. */
async function exportedNames(): Promise<Set<string>> {
  const health = new HealthModel();
  const paths = new PathHealth();
  const snapshot = () => ({ devices: health.allDevices(), network: paths.network(), host: paths.host() });
  const metrics = createAgentMetrics(snapshot, '0.0.0-test');
  const heartbeat = startHeartbeat({
    config: { intervalMs: 60_000, timeoutMs: 1_000, instance: 'x', pushgateway: null, webhook: null },
    identity: { instance: 'x', site: null, version: '0' },
    status: () => statusDocument(snapshot(), new Date()),
    agentSeries: async () => '',
    log: pino({ level: 'silent' }),
    registry: metrics.registry,
  });
  await heartbeat.stop();
  const text = (await metrics.text()) + heartbeatSeries({ nowMs: 0, intervalMs: 60_000, running: true });
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

/** Recorded by Prometheus for every scrape, not exported by anyone. */
const PROMETHEUS_OWN = new Set(['up']);

describe('metricNames', () => {
  it.each([
    ['count(posdiag_overall_state{state="down", site=~"$site"} == 1) or vector(0)', ['posdiag_overall_state']],
    ['histogram_quantile(0.99, sum by (le, device) (rate(posdiag_poll_duration_seconds_bucket{a="b"}[$__rate_interval])))', ['posdiag_poll_duration_seconds_bucket']],
    ['(time() - a_seconds > 3 * b_seconds) and on(instance) c == 1', ['a_seconds', 'b_seconds', 'c']],
    ['sort((probe_ssl_earliest_cert_expiry - time()) / 86400)', ['probe_ssl_earliest_cert_expiry']],
  ])('%s', (expr, expected) => {
    expect(metricNames(expr)).toEqual(expected);
  });
});

describe('config/grafana/posdiag-dashboard.json', () => {
  it('covers the fleet view', () => {
    expect(expressions.length).toBeGreaterThanOrEqual(20);
    const used = new Set(expressions.flatMap((e) => metricNames(e.expr)));
    for (const name of [
      'posdiag_overall_state',
      'posdiag_device_up',
      'posdiag_alert_active',
      'probe_success',
      'probe_duration_seconds',
      'probe_ssl_earliest_cert_expiry',
      'posdiag_heartbeat_timestamp_seconds',
      'posdiag_process_resident_memory_bytes',
      'posdiag_process_cpu_seconds_total',
    ]) {
      expect(used, name).toContain(name);
    }
  });

  it('uses only series the agent exports (or Prometheus records itself)', async () => {
    const exported = await exportedNames();
    const unknown = expressions.flatMap(({ panel, expr }) =>
      metricNames(expr)
        .filter((name) => !exported.has(name) && !PROMETHEUS_OWN.has(name))
        .map((name) => `${panel}: ${name}`),
    );
    expect(unknown).toEqual([]);
    for (const variable of dashboard.templating.list.filter((v) => v.type === 'query')) {
      const query = typeof variable.query === 'string' ? variable.query : variable.query!.query;
      const metric = /label_values\((\w+)/.exec(query)?.[1];
      expect(exported, `variable ${variable.name}`).toContain(metric);
    }
  });

  it('has expressions promtool parses', () => {
    const promtool = requireTool('promtool', 'prometheus');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'posdiag-dashboard-'));
    try {
      const file = path.join(dir, 'exprs.yml');
      const rules = expressions.map(({ expr }, i) => ({ record: `dashboard:expr_${i}`, expr: concrete(expr) }));
      writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
      const result = spawnSync(promtool, ['check', 'rules', file], { encoding: 'utf8' });
      expect(result.status, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toContain(`SUCCESS: ${expressions.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('describes every panel, with unique ids, inside the 24-column grid', () => {
    const ids = allPanels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of allPanels) {
      if (p.type !== 'row') expect(p.description, p.title).toBeTruthy();
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
    }
    expect(dashboard.uid).toBe('posdiag-fleet');
  });
});
