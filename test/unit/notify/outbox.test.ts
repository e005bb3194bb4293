import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertEngine } from '../../../src/alerts/engine.js';
import type { DeviceState } from '../../../src/health/model.js';
import { Outbox } from '../../../src/notify/outbox.js';
import { SIGNATURE_HEADER, signature, webhookNotifier } from '../../../src/notify/webhook.js';
import type { AgentStore } from '../../../src/store/store.js';
import { memoryLogger, openStore, tempDir } from '../store/helpers.js';
import { Receiver } from './receiver.js';

const SECRET = 'webhook-secret-0123456789';
const retry = { initialDelayMs: 20, maxDelayMs: 200 };
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

function device(id: string, conditions: string[]): DeviceState {
  return {
    id,
    name: id,
    driver: 'escpos',
    simulated: true,
    transport: 'simulator',
    connected: true,
    unreachable: false,
    reading: null,
    identity: { manufacturer: null, model: null, serial: null, firmware: null },
    lastPollAt: null,
    lastSeenAt: null,
    lastError: null,
    consecutiveFailures: 0,
    pollCount: 1,
    conditions: conditions.map((c) => ({ id: c, severity: 'critical', since: '2026-01-05T10:00:00.000Z' })),
    swap: null,
    settlementReminder: null,
  } as DeviceState;
}

/** The agent's alerting pieces on a real SQLite file and a real webhook, as a restart would build them. */
function boot(dir: string, url: string) {
  const { log, lines } = memoryLogger();
  const store: AgentStore = openStore(dir, log);
  let engine: AlertEngine | null = null;
  const outbox = new Outbox([webhookNotifier({ name: 'ops', url, secret: SECRET, sendResolved: true, timeoutMs: 2_000 })], store, log, {
    retry,
    now: Date.now,
    random: Math.random,
    firing: () => engine?.firingNotified() ?? [],
  });
  engine = new AlertEngine(
    { policy: { failureThreshold: 1, successThreshold: 1, reminderIntervalMs: null }, openingHours: null, maintenance: [], site: { id: 'shop-1', name: null } },
    store,
    outbox,
    log,
    () => new Date(),
  );
  engine.restore(new Set(['printer-1', 'printer-2', 'printer-3']));
  outbox.start();
  const stop = async () => {
    await outbox.stop(100);
    store.close();
  };
  return { store, outbox, engine, lines, stop };
}

describe('outbox delivery to a real webhook receiver', () => {
  it('receiver down, agent restarted, receiver up: every notification arrives, in order per alert, signed, none lost', async () => {
    const dir = await tempDir('posdiag-outbox-');
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const receiver = new Receiver();
    await receiver.up();
    await receiver.down(); // the port is known; nothing listens: connection refused
    cleanup.push(() => receiver.down());

    const first = boot(dir, `${receiver.url}/hook`);
    // Three printers: each fires, resolves and fires again while the receiver is unreachable.
    for (const round of [['printer.paper_out'], [], ['printer.cover_open']]) {
      for (const id of ['printer-1', 'printer-2', 'printer-3']) first.engine.evaluateDevice(device(id, round));
    }
    const made = first.outbox.pendingRows().map((r) => r.payload.eventId);
    expect(made).toHaveLength(9);
    // The outbox tried and failed (connection refused) at least once before the "restart".
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (first.outbox.pendingRows().some((r) => r.attempts > 0)) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    expect(first.lines.some((l) => l.msg === 'notification not delivered; will retry' && l.error === 'ECONNREFUSED')).toBe(true);
    await first.stop();

    const second = boot(dir, `${receiver.url}/hook`);
    cleanup.push(second.stop);
    expect(second.outbox.pendingRows().map((r) => r.payload.eventId)).toEqual(made);
    await receiver.up();
    await receiver.waitFor((got) => new Set(got.map((r) => (r.json as { eventId: string }).eventId)).size === 9);

    const bodies = receiver.received.map((r) => r.json as { eventId: string; kind: string; alert: { id: string } });
    expect(new Set(bodies.map((b) => b.eventId))).toEqual(new Set(made));
    expect(receiver.received).toHaveLength(9); // the receiver was down: nothing could arrive twice
    for (const printer of ['printer-1', 'printer-2', 'printer-3']) {
      expect(bodies.filter((b) => b.alert.id === `${printer}/printer.paper_out`).map((b) => b.kind)).toEqual(['firing', 'resolved']);
      expect(bodies.filter((b) => b.alert.id === `${printer}/printer.cover_open`).map((b) => b.kind)).toEqual(['firing']);
    }
    for (const r of receiver.received) expect(r.headers[SIGNATURE_HEADER]).toBe(signature(SECRET, r.body));
    // Delivered means marked in the database: a third start has nothing left to send.
    await second.stop();
    cleanup.pop();
    const third = boot(dir, `${receiver.url}/hook`);
    cleanup.push(third.stop);
    expect(third.outbox.pendingRows()).toEqual([]);
    // The secret never reaches a log line.
    for (const lines of [first.lines, second.lines, third.lines]) expect(JSON.stringify(lines)).not.toContain(SECRET);
  });

  it('an HTTP error is retried with backoff until a 2xx; other alerts are not held up by it', async () => {
    const dir = await tempDir('posdiag-outbox-');
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const receiver = new Receiver();
    receiver.status = 503;
    await receiver.up();
    cleanup.push(() => receiver.down());
    const agent = boot(dir, receiver.url);
    cleanup.push(agent.stop);
    agent.engine.evaluateDevice(device('printer-1', ['printer.paper_out']));
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if ((agent.outbox.pendingRows()[0]?.attempts ?? 0) >= 3) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    expect(agent.lines.find((l) => l.msg === 'notification not delivered; will retry')).toMatchObject({ status: 503, error: 'HTTP 503: receiver says no' });
    receiver.status = 200;
    await receiver.waitFor((got) => got.length === 1);
    expect((receiver.received[0]?.json as { kind: string }).kind).toBe('firing');
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (agent.outbox.pendingRows().length === 0) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    expect(agent.store.loadPendingOutbox()).toEqual([]);
  });
});
