/**
 * SIGTERM while a notification is on the wire and unacknowledged: the agent still stops within
 * the grace period with exit code 0, and the notification is not lost — the next start
 * delivers it. Real processes, a real SQLite store, a webhook receiver on 127.0.0.1.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownGraceMs } from '../../src/cli/run.js';
import { PosdiagProcess } from '../helpers/process.js';
import { waitUntil } from '../helpers/wait.js';

interface Delivery {
  kind: string;
  eventId: string;
  alert: { id: string };
}

/** Receives webhooks; while `answer` is false it holds every request open without a reply. */
async function webhookReceiver() {
  const received: Delivery[] = [];
  const held: http.ServerResponse[] = [];
  let answer = false;
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push(JSON.parse(body) as Delivery);
      if (answer) response.end();
      else held.push(response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    startAnswering: () => (answer = true),
    close: async () => {
      for (const response of held) response.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('SIGTERM with a pending outbox', () => {
  let dir: string | undefined;
  const agents: PosdiagProcess[] = [];
  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.kill()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('stops within the grace period, exit 0, and delivers the held notification after the next start', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-outbox-stop-'));
    const receiver = await webhookReceiver();
    try {
      const config = path.join(dir, 'posdiag.yaml');
      await writeFile(
        config,
        [
          'http:',
          '  listen: 127.0.0.1:0',
          'storage:',
          `  dir: ${path.join(dir, 'data')}`,
          'selfCheck:',
          '  cron: null',
          'alerts:',
          '  failureThreshold: 1',
          'notify:',
          '  timeout: 60s',
          '  retry: { initialDelay: 100ms, maxDelay: 1s }',
          '  webhooks:',
          `    - { name: ops, url: '${receiver.url}' }`,
          'devices:',
          '  - id: printer-1',
          '    driver: escpos',
          '    transport: { type: simulator, pty: never, faults: { paperOut: true } }',
          '    pollInterval: 200ms',
          '',
        ].join('\n'),
      );
      const first = new PosdiagProcess(['run', '--config', config], { POSDIAG_CONFIG: '' });
      agents.push(first);
      await first.waitForLine((line) => String(line.msg).startsWith('running;'));
      // The firing notification has reached the receiver, which holds it without an answer.
      await waitUntil(async () => receiver.received.length, (count) => count >= 1, { what: 'the firing webhook' });
      const firing = receiver.received[0]!;
      expect(firing).toMatchObject({ kind: 'firing', alert: { id: 'printer-1/printer.paper_out' } });

      const sent = Date.now();
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      expect(Date.now() - sent).toBeLessThan(shutdownGraceMs);

      receiver.startAnswering();
      const second = new PosdiagProcess(['run', '--config', config], { POSDIAG_CONFIG: '' });
      agents.push(second);
      // Delivered again from the store, same event (receivers drop repeats by eventId).
      await waitUntil(async () => receiver.received.filter((d) => d.eventId === firing.eventId).length, (count) => count >= 2, {
        what: 'the held notification delivered after the restart',
      });
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      await receiver.close();
    }
  });
});
