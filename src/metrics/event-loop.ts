import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';

/**
 * The event-loop lag gauges (`…nodejs_eventloop_lag_{min,max,mean,stddev,p50,p90,p99}_seconds`),
 * sampled every `sampleMs` instead of prom-client's every 10 ms.
 *
 * Why by hand: Node's delay histogram records the time between two firings of its timer, so each
 * sample is the sampling period plus the lag. prom-client samples every 10 ms and reports the
 * samples as they are (its p99 is never below 0.01 s); sampling every second, as an agent that
 * wakes 100 times a second for this alone should, would make every gauge read about 1 s. These
 * gauges subtract the period: they show the lag itself. They replace prom-client's gauges of the
 * same names, so dashboards keep working; `…nodejs_eventloop_lag_seconds` (measured at scrape
 * time) stays prom-client's.
 */
export function registerEventLoopLag(registry: Registry, prefix: string, sampleMs: number): { stop(): void } {
  const histogram = monitorEventLoopDelay({ resolution: sampleMs });
  histogram.enable();
  const lagSeconds = (nanoseconds: number) => Math.max(0, nanoseconds / 1e9 - sampleMs / 1000);
  const figures: Array<[string, string, () => number]> = [
    ['min', 'The minimum', () => lagSeconds(histogram.min)],
    ['max', 'The maximum', () => lagSeconds(histogram.max)],
    ['mean', 'The mean', () => lagSeconds(histogram.mean)],
    ['stddev', 'The standard deviation of the', () => histogram.stddev / 1e9],
    ['p50', 'The 50th percentile of the', () => lagSeconds(histogram.percentile(50))],
    ['p90', 'The 90th percentile of the', () => lagSeconds(histogram.percentile(90))],
    ['p99', 'The 99th percentile of the', () => lagSeconds(histogram.percentile(99))],
  ];
  for (const [figure, help, value] of figures) {
    const name = `${prefix}nodejs_eventloop_lag_${figure}_seconds`;
    registry.removeSingleMetric(name);
    new Gauge({
      name,
      help: `${help} event loop delays beyond the ${sampleMs} ms sampling period.`,
      registers: [registry],
      collect() {
        // No sample yet: the histogram's min is Number.MAX_SAFE_INTEGER-like, its mean NaN.
        this.set(histogram.count === 0 ? 0 : value());
      },
    });
  }
  return { stop: () => histogram.disable() };
}
