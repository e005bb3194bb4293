/** /metrics under a scrape storm: one render per change, never a stale device state. */
import { describe, expect, it } from 'vitest';
import { toReading } from '../../../drivers/zvt/status.js';
import { HealthModel } from '../../../src/health/model.js';
import { PathHealth } from '../../../src/health/path-health.js';
import { createAgentMetrics } from '../../../src/metrics/registry.js';

const at = new Date('2026-12-01T09:00:00.000Z');
const identity = { manufacturer: null, model: null, serial: null, firmware: null };
const reading = (terminalStatus: number) =>
  toReading({ terminalStatus, resultCode: null, lockBits: null, deviceState: null, terminalId: null, lastSettlementAt: null, settlementOverdueAfterMs: 1e9, now: at.getTime() });

function setup(reuse: boolean) {
  const health = new HealthModel();
  health.addDevice({ id: 'pt-1', name: 'Terminal', driver: 'zvt', simulated: false, transport: 'tcp:127.0.0.1:20007' });
  const paths = new PathHealth();
  let renders = 0;
  const snapshot = () => {
    renders++;
    return { devices: health.allDevices(), network: paths.network(), host: paths.host() };
  };
  const metrics = createAgentMetrics(
    snapshot,
    '9.9.9',
    reuse
      ? {
          onChange(listener) {
            health.on('change', listener);
            paths.on('change', listener);
          },
        }
      : {},
  );
  return { health, metrics, renders: () => renders };
}

describe('/metrics render reuse', () => {
  it('renders once for many scrapes while nothing changes', async () => {
    const { health, metrics, renders } = setup(true);
    health.answered('pt-1', reading(0x00), identity, at, true);
    const texts = await Promise.all(Array.from({ length: 20 }, () => metrics.text()));
    expect(new Set(texts).size).toBe(1);
    expect(renders()).toBe(1);
  });

  it('renders afresh at the first scrape after a device changed', async () => {
    const { health, metrics } = setup(true);
    health.answered('pt-1', reading(0x00), identity, at, true);
    expect(await metrics.text()).toMatch(/posdiag_terminal_locked\{device="pt-1"\} 0/);
    health.answered('pt-1', reading(0xc1), identity, at, true); // locked
    expect(await metrics.text()).toMatch(/posdiag_terminal_locked\{device="pt-1"\} 1/);
  });

  it('without a change subscription, every scrape renders', async () => {
    const { metrics, renders } = setup(false);
    await metrics.text();
    await metrics.text();
    expect(renders()).toBe(2);
  });
});
