import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { signature } from '../../src/notify/webhook.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentUnderTest, startAgentProcess } from '../helpers/agent.js';
import { Receiver } from '../unit/notify/receiver.js';

const SECRET = 'integration-secret-0123456789';

interface Body {
  eventId: string;
  kind: string;
  alert: { id: string };
}

// A real `posdiag run` sends to a real HTTP receiver on 127.0.0.1 that is down while alerts
// come and go; the agent is killed and started again before the receiver returns.
describe('webhook notifications survive a receiver outage and an agent restart', () => {
  let dir: string;
  let agent: AgentUnderTest | null = null;
  const receiver = new Receiver();

  const startAgent = (faults = '{}') =>
    startAgentProcess(`
http: { listen: 127.0.0.1:0 }
storage: { dir: ${dir}/data }
site: { id: test-shop }
alerts: { failureThreshold: 2, successThreshold: 2 }
notify:
  retry: { initialDelay: 50ms, maxDelay: 400ms }
  webhooks: [ { name: ops, url: '${receiver.url}/hook', secret: ${SECRET} } ]
devices:
  - id: printer-1
    driver: escpos
    transport: { type: simulator, faults: ${faults} }
    pollInterval: 200ms
selfCheck: { cron: null }
`);

  const setFaults = async (faults: Record<string, boolean>) => {
    const response = await fetch(`${agent?.url}/api/v1/simulators/printer-1/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(faults),
    });
    expect(response.status).toBe(200);
  };
  const logged = (msg: string, alert: string) => agent!.process.waitForLine((l) => l.msg === msg && l.alert === alert);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-hook-'));
    await receiver.up();
    await receiver.down(); // port known, nothing listening: connection refused
  });

  afterAll(async () => {
    await agent?.stop();
    await receiver.down();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('delivers every notification written before the kill, in order per alert, signed, once', async () => {
    agent = await startAgent();
    await setFaults({ paperOut: true });
    await logged('alert firing', 'printer-1/printer.paper_out');
    await setFaults({ paperOut: false });
    await logged('alert resolved', 'printer-1/printer.paper_out');
    await setFaults({ coverOpen: true });
    await logged('alert firing', 'printer-1/printer.cover_open');
    await agent.process.waitForLine((l) => l.msg === 'notification not delivered; will retry');
    await agent.process.kill();
    await agent.stop();

    // What the killed agent had promised: its outbox, read straight from the file.
    const db = new Database(path.join(dir, 'data', 'posdiag.db'), { readonly: true });
    const promised = db.prepare('SELECT id, alert_id, payload FROM outbox WHERE delivered_at IS NULL ORDER BY id').all() as Array<{ alert_id: string; payload: string }>;
    db.close();
    const expected = promised.map((r) => [r.alert_id, (JSON.parse(r.payload) as Body).kind, (JSON.parse(r.payload) as Body).eventId]);
    expect(expected.map(([id, kind]) => `${kind} ${id}`)).toEqual([
      'firing printer-1/printer.paper_out',
      'resolved printer-1/printer.paper_out',
      'firing printer-1/printer.cover_open',
    ]);

    agent = await startAgent('{ coverOpen: true }');
    await receiver.up();
    await receiver.waitFor((got) => expected.every(([, , eventId]) => got.some((r) => (r.json as Body).eventId === eventId)));
    const bodies = receiver.received.map((r) => r.json as Body);
    // Each once; in order per alert (alerts do not wait for each other, so only that order is promised).
    expect(bodies.map((b) => b.eventId).sort()).toEqual(expected.map(([, , eventId]) => eventId).sort());
    for (const id of ['printer-1/printer.paper_out', 'printer-1/printer.cover_open']) {
      expect(bodies.filter((b) => b.alert.id === id).map((b) => b.eventId)).toEqual(expected.filter(([alertId]) => alertId === id).map(([, , eventId]) => eventId));
    }
    for (const r of receiver.received) {
      expect(r.path).toBe('/hook');
      expect(r.headers['x-posdiag-event']).toBe((r.json as Body).eventId);
      expect(r.headers['x-posdiag-signature-256']).toBe(signature(SECRET, r.body));
    }
    // The restarted agent did not fire the cover alert again, and has nothing left to send.
    expect(agent.process.lines.filter((l) => l.msg === 'alert firing')).toEqual([]);
    expect(JSON.stringify(agent.process.lines)).not.toContain(SECRET);
  });
});
