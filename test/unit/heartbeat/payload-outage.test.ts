import { describe, expect, it } from 'vitest';
import { afterAttempt, type DeliveryState, initialDeliveryState, MAX_RETRY_DELAY_MS, nextDelayMs } from '../../../src/heartbeat/outage.js';
import { groupingPath, heartbeatSeries, webhookBody } from '../../../src/heartbeat/payload.js';
import type { StatusDocument } from '../../../src/http/status-document.js';

describe('groupingPath', () => {
  it.each([
    [{ instance: 'shop-0042', site: null }, '/metrics/job/posdiag/instance/shop-0042'],
    [{ instance: 'shop-0042', site: 'berlin' }, '/metrics/job/posdiag/instance/shop-0042/site/berlin'],
    // A value the path cannot carry as it is goes base64url-encoded, the Pushgateway's escape.
    [{ instance: 'till/1', site: null }, '/metrics/job/posdiag/instance@base64/dGlsbC8x'],
    [{ instance: 'Kasse Süd', site: null }, '/metrics/job/posdiag/instance@base64/S2Fzc2UgU8O8ZA'],
    [{ instance: '', site: null }, '/metrics/job/posdiag/instance@base64/='],
  ])('%j → %s', (identity, expected) => {
    expect(groupingPath('posdiag', identity)).toBe(expected);
  });
});

describe('heartbeatSeries', () => {
  it('says running, when and how often, in seconds', () => {
    expect(heartbeatSeries({ nowMs: 1_700_000_000_500, intervalMs: 60_000, running: true })).toBe(
      [
        '# HELP posdiag_up 1 while the agent runs; 0 in the last heartbeat of an agent that was stopped on purpose.',
        '# TYPE posdiag_up gauge',
        'posdiag_up 1',
        '# HELP posdiag_heartbeat_timestamp_seconds Unix time at which the agent sent this heartbeat.',
        '# TYPE posdiag_heartbeat_timestamp_seconds gauge',
        'posdiag_heartbeat_timestamp_seconds 1700000000.5',
        '# HELP posdiag_heartbeat_interval_seconds Time between two heartbeats of this agent.',
        '# TYPE posdiag_heartbeat_interval_seconds gauge',
        'posdiag_heartbeat_interval_seconds 60',
        '',
      ].join('\n'),
    );
    expect(heartbeatSeries({ nowMs: 0, intervalMs: 500, running: false })).toContain('\nposdiag_up 0\n');
  });
});

describe('webhookBody', () => {
  it('carries identity, overall state, devices and alerts', () => {
    const document = {
      overall: 'down',
      generatedAt: '2026-11-23T09:00:00.000Z',
      devices: [{ id: 'printer-1', driver: 'escpos', connected: true, conditions: ['printer.paper_out'] }],
      network: { verdict: 'ok' },
      host: {},
      alerts: [{ id: 'x', condition: 'printer.paper_out', device: 'printer-1', target: null, severity: 'critical', state: 'firing', since: '2026-11-23T08:59:00.000Z' }],
    } as unknown as StatusDocument;
    expect(webhookBody(document, { instance: 'shop-1', site: 'b', version: '1.2.3' }, { nowMs: Date.parse('2026-11-23T09:00:01.000Z'), intervalMs: 30_000, running: true })).toEqual({
      kind: 'posdiag.heartbeat',
      instance: 'shop-1',
      site: 'b',
      version: '1.2.3',
      sentAt: '2026-11-23T09:00:01.000Z',
      intervalSeconds: 30,
      running: true,
      overall: 'down',
      devices: [{ id: 'printer-1', driver: 'escpos', connected: true, conditions: ['printer.paper_out'] }],
      network: { verdict: 'ok' },
      alerts: [{ condition: 'printer.paper_out', device: 'printer-1', target: null, severity: 'critical', since: '2026-11-23T08:59:00.000Z' }],
    });
  });
});

describe('delivery state', () => {
  const fail = { ok: false as const, reason: 'ECONNREFUSED' };
  const ok = { ok: true as const };

  it('logs the first failure of an outage and the recovery, nothing in between', () => {
    let state: DeliveryState = initialDeliveryState;
    const logs: unknown[] = [];
    const outcomes = [ok, fail, fail, fail, fail, ok, ok, fail, ok];
    outcomes.forEach((outcome, i) => {
      const step = afterAttempt(state, outcome, i * 1000);
      state = step.state;
      logs.push(step.log);
    });
    expect(logs).toEqual([
      null,
      { kind: 'outage-started', reason: 'ECONNREFUSED' },
      null,
      null,
      null,
      { kind: 'recovered', failures: 4, outageMs: 4000 },
      null,
      { kind: 'outage-started', reason: 'ECONNREFUSED' },
      { kind: 'recovered', failures: 1, outageMs: 1000 },
    ]);
  });

  it('waits the interval while deliveries work, backs off after failures, up to a cap', () => {
    const top = () => 1; // the upper end of the jitter
    expect(nextDelayMs(initialDeliveryState, 60_000, top)).toBe(60_000);
    const after = (failures: number, intervalMs: number) => nextDelayMs({ failures, outageSince: 0 }, intervalMs, top);
    // A one-minute interval: the first retry after 5 s, then doubling, capped at 5 minutes.
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => after(n, 60_000))).toEqual([5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
    // A short interval starts retrying at the interval.
    expect(after(1, 300)).toBe(300);
    // An interval longer than the cap is never shortened into a storm nor stretched.
    expect(after(30, 10 * 60_000)).toBe(10 * 60_000);
    // Jitter: never less than half.
    expect(nextDelayMs({ failures: 30, outageSince: 0 }, 60_000, () => 0)).toBe(MAX_RETRY_DELAY_MS / 2);
  });
});
