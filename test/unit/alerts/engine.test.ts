import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertEngine, type AlertSettings } from '../../../src/alerts/engine.js';
import type { DeviceState } from '../../../src/health/model.js';
import type { SubjectCondition } from '../../../src/health/path-health.js';
import type { Notifier } from '../../../src/notify/notifier.js';
import { Outbox } from '../../../src/notify/outbox.js';
import type { OutboxRow } from '../../../src/store/types.js';
import { memoryLogger, openStore, tempDir } from '../store/helpers.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

const settings: AlertSettings = {
  policy: { failureThreshold: 3, successThreshold: 2, reminderIntervalMs: null },
  openingHours: null,
  maintenance: [],
  site: { id: 'shop-1', name: null },
};

const printer = (conditions: string[]) =>
  ({ id: 'printer-1', lastError: null, conditions: conditions.map((id) => ({ id, severity: 'critical', since: '' })) }) as unknown as DeviceState;

/** A notifier that records and acknowledges, so the engine's output is visible without a network. */
function recorder(): Notifier & { sent: OutboxRow[] } {
  const sent: OutboxRow[] = [];
  return { name: 'memory', where: 'memory', sent, wants: () => true, send: async (row) => (sent.push(row), { ok: true, status: 200 }) };
}

async function boot(dir: string, clock: { now: number }, known = ['printer-1', 'acquirer', 'network', 'host']) {
  const { log, lines } = memoryLogger();
  const store = openStore(dir, log);
  const notifier = recorder();
  let engine: AlertEngine | null = null;
  const outbox = new Outbox([notifier], store, log, { retry: { initialDelayMs: 10, maxDelayMs: 10 }, now: () => clock.now, random: () => 0.5, firing: () => engine?.firingNotified() ?? [] });
  engine = new AlertEngine(settings, store, outbox, log, () => new Date(clock.now));
  engine.restore(new Set(known));
  outbox.start();
  const stop = async () => {
    await outbox.stop(100);
    store.close();
  };
  cleanup.push(stop);
  return { engine, notifier, store, outbox, lines, stop };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('alert engine with a real store', () => {
  it('fires on the third poll, lists pending then firing, and after a restart neither re-fires nor loses the resolve', async () => {
    const dir = await tempDir('posdiag-engine-');
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const clock = { now: Date.parse('2026-01-05T10:00:00Z') };
    const first = await boot(dir, clock);
    first.engine.evaluateDevice(printer(['printer.paper_out']));
    expect(first.engine.views()).toEqual([expect.objectContaining({ id: 'printer-1/printer.paper_out', state: 'pending', device: 'printer-1', target: null })]);
    clock.now += 1000;
    first.engine.evaluateDevice(printer(['printer.paper_out']));
    clock.now += 1000;
    first.engine.evaluateDevice(printer(['printer.paper_out']));
    expect(first.engine.views()[0]).toMatchObject({ state: 'firing', severity: 'critical', since: '2026-01-05T10:00:02.000Z' });
    await settle();
    expect(first.notifier.sent.map((r) => r.payload.kind)).toEqual(['firing']);
    await first.stop();
    cleanup.pop();

    const second = await boot(dir, clock);
    expect(second.engine.views()[0]).toMatchObject({ state: 'firing', since: '2026-01-05T10:00:02.000Z' });
    for (let i = 0; i < 5; i += 1) second.engine.evaluateDevice(printer(['printer.paper_out']));
    second.engine.evaluateDevice(printer([]));
    await second.stop(); // restart between the two passing polls
    cleanup.pop();

    const third = await boot(dir, clock);
    third.engine.evaluateDevice(printer([]));
    await settle();
    expect([...second.notifier.sent, ...third.notifier.sent].map((r) => r.payload.kind)).toEqual(['resolved']);
    expect(third.engine.views()[0]).toMatchObject({ state: 'resolved' });
  });

  it('network and host rounds are evaluated separately; alerts of targets no longer configured are resolved at start', async () => {
    const dir = await tempDir('posdiag-engine-');
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const clock = { now: Date.parse('2026-01-05T10:00:00Z') };
    const first = await boot(dir, clock);
    const down: SubjectCondition = { id: 'network.acquirer_unreachable', subject: 'acquirer', severity: 'critical', since: '', reason: 'connection refused' };
    const disk: SubjectCondition = { id: 'host.resources', subject: 'host', severity: 'warning', since: '', reason: 'disk' };
    for (let i = 0; i < 3; i += 1) first.engine.evaluatePath([down], 'network');
    first.engine.evaluatePath([disk], 'host');
    // A host round without network findings must not count as a passing network round.
    for (let i = 0; i < 3; i += 1) first.engine.evaluatePath([], 'host');
    expect(first.engine.views().find((v) => v.target === 'acquirer')).toMatchObject({ state: 'firing', device: null, condition: 'network.acquirer_unreachable' });
    await settle();
    expect(first.notifier.sent[0]?.payload.alert).toMatchObject({ reason: 'connection refused' });
    await first.stop();
    cleanup.pop();

    const second = await boot(dir, clock, ['printer-1', 'network', 'host']);
    await settle();
    expect(second.engine.views().find((v) => v.target === 'acquirer')).toMatchObject({ state: 'resolved' });
    expect(second.notifier.sent.map((r) => [r.payload.kind, r.alertId])).toEqual([['resolved', 'acquirer/network.acquirer_unreachable']]);
  });
});
