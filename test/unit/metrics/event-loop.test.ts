/** The event-loop lag gauges show the lag itself, not the sampling period plus the lag. */
import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { registerEventLoopLag } from '../../../src/metrics/event-loop.js';
import { waitUntil } from '../../helpers/wait.js';

const value = async (registry: Registry, figure: string): Promise<number> => {
  const metric = await registry.getSingleMetric(`t_nodejs_eventloop_lag_${figure}_seconds`)!.get();
  return metric.values[0]!.value;
};

describe('event-loop lag gauges', () => {
  let stop: (() => void) | undefined;
  afterEach(() => stop?.());

  it('read 0 before the first sample', async () => {
    const registry = new Registry();
    stop = registerEventLoopLag(registry, 't_', 60_000).stop;
    for (const figure of ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99']) expect(await value(registry, figure)).toBe(0);
  });

  it('record a stall of the loop, and near nothing when it runs freely, whatever the sampling period', async () => {
    const registry = new Registry();
    const sampleMs = 100;
    stop = registerEventLoopLag(registry, 't_', sampleMs).stop;
    // Block the loop for 400 ms: a timer due meanwhile fires about 300 ms late. The histogram
    // records the time between two firings, so a stall before its first firing shows nothing:
    // stall again until one is recorded.
    const stallThenRead = async () => {
      const until = performance.now() + 400;
      while (performance.now() < until) {
        // busy on purpose
      }
      await new Promise((resolve) => setTimeout(resolve, sampleMs));
      return value(registry, 'max');
    };
    const max = await waitUntil(stallThenRead, (seconds) => seconds >= 0.25, { what: 'the stall to be recorded' });
    expect(max).toBeLessThan(1);
    // Samples taken while the loop ran freely show (almost) no lag, not the 100 ms period.
    expect(await value(registry, 'min')).toBeLessThan(0.05);
    expect(await value(registry, 'p50')).toBeLessThan(sampleMs / 1000);
  });

  it('replaces a gauge of the same name already registered (prom-client\'s own)', async () => {
    const registry = new Registry();
    stop = registerEventLoopLag(registry, 't_', 1_000).stop;
    const again = registerEventLoopLag(registry, 't_', 1_000);
    again.stop();
    expect((await registry.metrics()).match(/^# TYPE t_nodejs_eventloop_lag_p99_seconds gauge$/gm)).toHaveLength(1);
  });
});
