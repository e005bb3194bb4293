/**
 * The alerting config (`site`, `alerts`, `notify`, the storage retention keys): what a valid
 * section turns into, and each mistake paired with the exact line a technician would see.
 */
import { describe, expect, it } from 'vitest';
import { type ConfigResult, formatConfigError, parseConfigText } from '../../../src/config/index.js';

const parse = (text: string): ConfigResult => parseConfigText(text, 'posdiag.yaml', { cwd: '/srv/shop' });
const problems = (text: string): string[] => {
  const result = parse(text);
  return result.ok ? [] : result.errors.map(formatConfigError);
};

describe('alerting config', () => {
  it('turns opening hours, maintenance and notifiers into what the agent uses', () => {
    const result = parse(`
site: { id: shop-17, name: Corner shop }
alerts:
  failureThreshold: 4
  reminderInterval: null
  openingHours:
    timezone: Europe/Berlin
    week: { mon: ['08:00-20:00'], fri: ['08:00-12:00', '18:00-02:00'] }
  maintenance:
    - { from: '2026-12-24T18:00:00+01:00', to: '2026-12-27T08:00:00+01:00' }
    - { days: [sun], time: '02:00-04:00', subjects: [printer-1], reason: cleaning }
notify:
  retry: { initialDelay: 200ms, maxDelay: 1m }
  webhooks: [ { name: ops, url: 'https://ops.example.com/hook', secret: 0123456789abcdef0123 } ]
  alertmanager: [ { url: 'http://127.0.0.1:9093' } ]
storage: { maxSizeMb: 16, sampleInterval: 30s }
`);
    if (!result.ok) throw new Error(result.errors.map(formatConfigError).join('\n'));
    const { site, alerts, notify, storage } = result.config;
    expect(site).toEqual({ id: 'shop-17', name: 'Corner shop' });
    expect(alerts).toMatchObject({ failureThreshold: 4, successThreshold: 2, reminderIntervalMs: null });
    expect(alerts.openingHours?.timezone).toBe('Europe/Berlin');
    expect(alerts.openingHours?.week.fri).toEqual([
      { start: 480, end: 720 },
      { start: 1080, end: 120 },
    ]);
    expect(alerts.openingHours?.week.sun).toEqual([]);
    expect(alerts.maintenance).toEqual([
      { fromMs: Date.parse('2026-12-24T17:00:00Z'), toMs: Date.parse('2026-12-27T07:00:00Z'), days: null, range: null, subjects: [], reason: null },
      { fromMs: null, toMs: null, days: ['sun'], range: { start: 120, end: 240 }, subjects: ['printer-1'], reason: 'cleaning' },
    ]);
    expect(notify).toEqual({
      timeoutMs: 10_000,
      retry: { initialDelayMs: 200, maxDelayMs: 60_000 },
      webhooks: [{ name: 'ops', url: 'https://ops.example.com/hook', secret: '0123456789abcdef0123', sendResolved: true }],
      alertmanager: [{ url: 'http://127.0.0.1:9093', repostIntervalMs: 60_000 }],
    });
    expect(storage).toMatchObject({ maxSizeMb: 16, readingsDays: 7, historyDays: 90, sampleIntervalMs: 30_000 });
  });

  it.each([
    ['alerts:\n  openingHours: { timezone: Mars/Olympus }\n', 'posdiag.yaml:2 alerts.openingHours.timezone: is not an IANA time zone such as Asia/Shanghai or Europe/Berlin'],
    ['alerts:\n  openingHours:\n    week: { mon: [8-20] }\n', 'posdiag.yaml:3 alerts.openingHours.week.mon[0]: must be a time range such as "08:00-20:00" (24-hour clock, "24:00" for midnight at the end; got "8-20")'],
    ['alerts:\n  openingHours:\n    week: { monday: [] }\n', 'posdiag.yaml:3 alerts.openingHours.week.monday: unknown key; allowed here: sun, mon, tue, wed, thu, fri, sat'],
    ['alerts:\n  failureThreshold: 0\n', 'posdiag.yaml:2 alerts.failureThreshold: must be at least 1 (got 0)'],
    ['alerts:\n  maintenance:\n    - { from: "2026-12-24T18:00:00+01:00" }\n', 'posdiag.yaml:3 alerts.maintenance[0]: a one-off window needs both from and to'],
    ['alerts:\n  maintenance:\n    - { from: "2026-12-24T18:00:00", to: "2026-12-25T18:00:00+01:00" }\n', 'posdiag.yaml:3 alerts.maintenance[0].from: must be a date and time with its offset, such as 2026-12-24T18:00:00+01:00'],
    ['alerts:\n  maintenance:\n    - { from: "2026-12-24T18:00:00Z", to: "2026-12-24T17:00:00Z" }\n', 'posdiag.yaml:3 alerts.maintenance[0].to: must be after from'],
    ['notify:\n  webhooks: [ { name: ops, url: "ftp://x/y" } ]\n', 'posdiag.yaml:2 notify.webhooks[0].url: must be an http:// or https:// URL, such as http://alertmanager:9093'],
    ['notify:\n  webhooks: [ { name: ops, url: "http://x/", secret: short } ]\n', 'posdiag.yaml:2 notify.webhooks[0].secret: must be at least 16 characters long'],
    ['notify:\n  alertmanager: [ { url: "http://am:9093", repostInterval: 2h } ]\n', 'posdiag.yaml:2 notify.alertmanager[0].repostInterval: must be at most 1h (got 2h)'],
    ['site: { id: Shop 17 }\n', "posdiag.yaml:1 site.id: may only contain a-z, 0-9, '_', '.' and '-'; 'Shop 17' contains 'S' and a space (use lower case letters)"],
  ])('%j → %s', (text, expected) => {
    expect(problems(text)).toEqual([expected]);
  });

  it('webhook names are unique (outbox rows wait under them)', () => {
    expect(problems('notify:\n  webhooks:\n    - { name: ops, url: "http://a/" }\n    - { name: ops, url: "http://b/" }\n').join('\n')).toMatch(/posdiag\.yaml:4 notify\.webhooks\[1\]\.name: .*ops/);
  });

  it('never echoes a webhook secret in an error', () => {
    const text = 'notify:\n  webhooks: [ { name: ops, url: "http://x/", secret: 12345678901234567890123456789, bogus: 1 } ]\n';
    expect(problems(text).join('\n')).not.toContain('12345678901234567890123456789');
  });
});
