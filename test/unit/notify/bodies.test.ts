import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { alertmanagerBody, labels } from '../../../src/notify/alertmanager.js';
import { signature, webhookBody } from '../../../src/notify/webhook.js';
import type { NotificationPayload } from '../../../src/store/types.js';
import { alertState } from '../store/helpers.js';

const site = { id: 'shop-17', name: 'Corner shop' };
const firing = { ...alertState('printer-1/printer.paper_out'), startedAt: '2026-01-05T09:59:58.000Z' };
const payload = (kind: NotificationPayload['kind'], extra: Partial<NotificationPayload> = {}): NotificationPayload => ({
  eventId: 'e-1',
  kind,
  at: '2026-01-05T10:00:00.000Z',
  site,
  alert: firing,
  previousSeverity: null,
  summary: 'The receipt printer is out of paper: insert a new thermal roll and close the cover.',
  ...extra,
});
const now = Date.parse('2026-01-06T12:00:00.000Z');

describe('Alertmanager bodies', () => {
  it.each([
    ['a device alert', firing, { alertname: 'printer.paper_out', device: 'printer-1', site: 'shop-17', severity: 'critical' }],
    [
      'a network alert',
      { ...firing, id: 'acquirer/network.acquirer_unreachable', condition: 'network.acquirer_unreachable', device: null, target: 'acquirer' },
      { alertname: 'network.acquirer_unreachable', target: 'acquirer', site: 'shop-17', severity: 'critical' },
    ],
  ])('labels %s: alertname = condition id, device or target, site, severity', (_, alert, expected) => {
    expect(labels(alert, site)).toEqual(expected);
  });

  it('firing: startsAt is when it began, endsAt counts from the send (a late delivery is not already expired)', () => {
    const [alert] = alertmanagerBody(payload('firing'), now, 60_000);
    expect(alert).toEqual({
      labels: { alertname: 'printer.paper_out', device: 'printer-1', site: 'shop-17', severity: 'critical' },
      annotations: { summary: expect.stringMatching(/out of paper/), site_name: 'Corner shop' },
      startsAt: '2026-01-05T09:59:58.000Z',
      endsAt: '2026-01-06T12:03:00.000Z',
    });
  });

  it('resolved: endsAt is the resolve time', () => {
    const resolved = { ...firing, phase: 'resolved' as const, resolvedAt: '2026-01-05T10:05:00.000Z' };
    expect(alertmanagerBody(payload('resolved', { alert: resolved }), now, 60_000)).toEqual([
      expect.objectContaining({ startsAt: firing.startedAt, endsAt: '2026-01-05T10:05:00.000Z' }),
    ]);
  });

  it('severity change: ends the alert under the old labels, starts it under the new', () => {
    const warning = { ...firing, severity: 'warning' as const };
    const body = alertmanagerBody(payload('severity', { alert: warning, previousSeverity: 'critical', at: '2026-01-05T20:00:00.000Z' }), now, 60_000);
    expect(body.map((a) => [a.labels.severity, a.endsAt])).toEqual([
      ['critical', '2026-01-05T20:00:00.000Z'],
      ['warning', '2026-01-06T12:03:00.000Z'],
    ]);
  });
});

describe('webhook bodies', () => {
  it('carry the event id, site, alert and summary', () => {
    expect(webhookBody(payload('firing'))).toEqual({
      version: 1,
      eventId: 'e-1',
      kind: 'firing',
      at: '2026-01-05T10:00:00.000Z',
      site,
      alert: expect.objectContaining({ id: 'printer-1/printer.paper_out', condition: 'printer.paper_out', device: 'printer-1', severity: 'critical', state: 'firing', summary: expect.any(String) }),
    });
  });

  it('signature is HMAC-SHA256 of the exact body, hex, prefixed sha256=', () => {
    const body = JSON.stringify(webhookBody(payload('firing')));
    expect(signature('a-secret-of-16-chars', body)).toBe(`sha256=${createHmac('sha256', 'a-secret-of-16-chars').update(body).digest('hex')}`);
    expect(signature('a-secret-of-16-chars', `${body} `)).not.toBe(signature('a-secret-of-16-chars', body));
  });
});
