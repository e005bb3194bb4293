/**
 * The heartbeat as the agent starts it: identity from the config (the site label is the same
 * site.id Alertmanager alerts carry) and the agent's series taken from its /metrics registry,
 * so pushed and scraped series are the same.
 */
import os from 'node:os';
import { siteId } from '../alerts/service.js';
import type { Config } from '../config/index.js';
import type { StatusDocument } from '../http/status-document.js';
import type { Logger } from '../log.js';
import type { AgentMetrics } from '../metrics/registry.js';
import { type Heartbeat, startHeartbeat } from './heartbeat.js';
import { PUSHED_AGENT_SERIES } from './payload.js';

export type { Heartbeat } from './heartbeat.js';
export { startHeartbeat } from './heartbeat.js';

export interface AgentHeartbeatDeps {
  version: string;
  status(): StatusDocument;
  metrics: AgentMetrics;
  log: Logger;
}

export function startAgentHeartbeat(config: Pick<Config, 'heartbeat' | 'site'>, deps: AgentHeartbeatDeps): Heartbeat {
  return startHeartbeat({
    config: config.heartbeat,
    identity: { instance: config.heartbeat.instance ?? os.hostname(), site: siteId(config.site.id), version: deps.version },
    status: deps.status,
    agentSeries: () => seriesText(deps.metrics),
    log: deps.log,
    registry: deps.metrics.registry,
  });
}

async function seriesText(metrics: AgentMetrics): Promise<string> {
  const texts = await Promise.all(
    PUSHED_AGENT_SERIES.filter((name) => metrics.registry.getSingleMetric(name) !== undefined).map((name) =>
      metrics.registry.getSingleMetricAsString(name),
    ),
  );
  return texts.map((text) => (text.endsWith('\n') ? text : `${text}\n`)).join('');
}
