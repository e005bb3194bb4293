/**
 * Config sections of the alerting: who the shop is (`site`), when an alert fires and how loud
 * (`alerts`), and where notifications go (`notify`). Parsed into the shapes src/alerts and
 * src/notify use, durations in milliseconds.
 */
import { z } from 'zod';
import { type DailyRange, type MaintenanceWindow, parseDailyRange, type Weekday, type WeeklyCalendar, WEEKDAYS } from '../alerts/calendar.js';
import { duration, identifier } from './fields.js';

export interface SiteConfig {
  /** null: the PC's host name, filled in by the agent. */
  id: string | null;
  name: string | null;
}

export interface AlertsConfig {
  failureThreshold: number;
  successThreshold: number;
  reminderIntervalMs: number | null;
  openingHours: WeeklyCalendar | null;
  maintenance: MaintenanceWindow[];
}

export interface WebhookTargetConfig {
  name: string;
  url: string;
  secret: string | null;
  sendResolved: boolean;
}

export interface NotifyConfig {
  timeoutMs: number;
  retry: { initialDelayMs: number; maxDelayMs: number };
  webhooks: WebhookTargetConfig[];
  alertmanager: Array<{ url: string; repostIntervalMs: number }>;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const timezone = z
  .string()
  .refine(isTimeZone, { message: 'is not an IANA time zone such as Asia/Shanghai or Europe/Berlin' })
  .nullable()
  .default(null);

// Plain strings with a check (not z.url / z.iso.datetime): those publish JSON Schema `format`s
// that editors and ajv without ajv-formats only warn about.
const httpUrl = z.string().refine(
  (text) => {
    try {
      const url = new URL(text);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    } catch {
      return false;
    }
  },
  { message: 'must be an http:// or https:// URL, such as http://alertmanager:9093' },
);

const instant = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/, { message: 'must be a date and time with its offset, such as 2026-12-24T18:00:00+01:00' })
  .refine((text) => Number.isFinite(Date.parse(text)), { message: 'is not a real date and time' });

const range = z.string().transform((text, ctx): DailyRange => {
  const parsed = parseDailyRange(text);
  if (!parsed) {
    ctx.issues.push({ code: 'custom', input: text, message: `must be a time range such as "08:00-20:00" (24-hour clock, "24:00" for midnight at the end; got "${text}")` });
    return z.NEVER;
  }
  return parsed;
});

const day = z.enum(WEEKDAYS);

const openingHoursSchema = z
  .strictObject({
    timezone: timezone.describe("IANA time zone of the shop, e.g. Europe/Berlin; null: the PC's own."),
    week: z
      .strictObject(Object.fromEntries(WEEKDAYS.map((d) => [d, z.array(range).default([]).describe(`Opening ranges on ${d}; empty: closed.`)])) as Record<Weekday, z.ZodDefault<z.ZodArray<typeof range>>>)
      .prefault({})
      .describe('Ranges per weekday (sun … sat), e.g. mon: ["08:00-12:00", "14:00-20:00"]. A range like "18:00-02:00" runs past midnight.'),
  })
  .nullable()
  .default(null)
  .describe('When the shop is open. Outside these hours critical alerts (paper out, acquirer unreachable) are sent as warnings; tampering stays critical. null: always open.');

const maintenanceSchema = z
  .strictObject({
    from: instant.optional().describe('Start of a one-off window, ISO-8601 with offset, e.g. 2026-12-24T18:00:00+01:00.'),
    to: instant.optional().describe('End of a one-off window.'),
    days: z.array(day).optional().describe('Weekdays of a weekly window (in the opening hours time zone).'),
    time: range.optional().describe('Time range of a weekly window, e.g. "02:00-04:00".'),
    subjects: z.array(identifier(['_', '.', '-'])).default([]).describe('Device ids or network target names it applies to (also "network", "host"); empty: everything.'),
    reason: z.string().max(200).nullable().default(null).describe('Why, for the log.'),
  })
  .superRefine((w, ctx) => {
    const oneOff = w.from !== undefined || w.to !== undefined;
    const weekly = w.days !== undefined || w.time !== undefined;
    if (oneOff === weekly) ctx.addIssue({ code: 'custom', message: 'needs either from and to (one-off) or days and time (weekly)' });
    else if (oneOff && (w.from === undefined || w.to === undefined)) ctx.addIssue({ code: 'custom', message: 'a one-off window needs both from and to' });
    else if (oneOff && Date.parse(w.to as string) <= Date.parse(w.from as string)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    else if (weekly && (w.days === undefined || w.time === undefined)) ctx.addIssue({ code: 'custom', message: 'a weekly window needs both days and time' });
  })
  .transform(
    (w): MaintenanceWindow => ({
      fromMs: w.from ? Date.parse(w.from) : null,
      toMs: w.to ? Date.parse(w.to) : null,
      days: w.days ?? null,
      range: w.time ?? null,
      subjects: w.subjects,
      reason: w.reason,
    }),
  )
  .describe('A maintenance window: alerts that start inside it are not sent (they are still shown and recorded).');

export const siteSchema = z
  .strictObject({
    id: identifier(['_', '.', '-']).nullable().default(null).describe("The shop's id in the provider's systems: the `site` label in Alertmanager and in webhooks. null: this PC's host name."),
    name: z.string().max(200).nullable().default(null).describe('Human name of the shop, sent along with notifications.'),
  })
  .describe('Which shop this agent watches.');

export const alertsSchema = z
  .strictObject({
    failureThreshold: z.number().int().min(1).max(1000).default(3).describe('Consecutive failing evaluations (polls, network rounds) before an alert fires.'),
    successThreshold: z.number().int().min(1).max(1000).default(2).describe('Consecutive passing evaluations before a firing alert resolves.'),
    reminderInterval: duration('4h', { minMs: 60_000, maxMs: 7 * 86_400_000 }).nullable().describe('Send a firing alert again this often while it lasts. null: never.'),
    openingHours: openingHoursSchema,
    maintenance: z.array(maintenanceSchema).default([]).describe('Maintenance windows that silence new alerts.'),
  })
  .transform(
    (a): AlertsConfig => ({
      failureThreshold: a.failureThreshold,
      successThreshold: a.successThreshold,
      reminderIntervalMs: a.reminderInterval,
      openingHours: a.openingHours ? { timezone: a.openingHours.timezone, week: a.openingHours.week } : null,
      maintenance: a.maintenance,
    }),
  )
  .describe('When conditions become alerts: thresholds against flapping, opening hours, maintenance, reminders.');



const webhookSchema = z
  .strictObject({
    name: identifier(['_', '.', '-']).describe('Unique name; outbox rows wait under it across restarts, so keep it stable.'),
    url: httpUrl.describe('Where to POST each notification as JSON.').meta({ examples: ['https://ops.example.com/posdiag'] }),
    secret: z
      .string()
      .min(16, { error: 'must be at least 16 characters long' })
      .max(512)
      .nullable()
      .default(null)
      .describe('Key for the X-Posdiag-Signature-256 header (sha256=<HMAC-SHA256 of the body>). Never logged. null: unsigned.'),
    sendResolved: z.boolean().default(true).describe('Also notify when an alert resolves.'),
  })
  .describe('A generic JSON webhook.');

const alertmanagerSchema = z
  .strictObject({
    url: httpUrl.describe('Base URL of an Alertmanager; /api/v2/alerts is appended.').meta({ examples: ['http://alertmanager:9093'] }),
    repostInterval: duration('1m', { minMs: 100, maxMs: 3_600_000 }).describe(
      'Re-send firing alerts this often (Alertmanager ends an alert whose endsAt, 3 × this, passes). Keep it well under resolve_timeout.',
    ),
  })
  .transform((a) => ({ url: a.url, repostIntervalMs: a.repostInterval }))
  .describe('An Alertmanager (API v2).');

export const notifySchema = z
  .strictObject({
    timeout: duration('10s', { minMs: 100, maxMs: 120_000 }).describe('Deadline of one delivery attempt.'),
    retry: z
      .strictObject({
        initialDelay: duration('1s', { minMs: 10 }).describe('Wait after the first failed attempt; doubles per failure.'),
        maxDelay: duration('1m', { minMs: 10 }).describe('Longest wait between attempts, so a receiver that comes back gets the backlog within about this long. Notifications are retried until delivered.'),
      })
      .prefault({})
      .transform((r) => ({ initialDelayMs: r.initialDelay, maxDelayMs: Math.max(r.maxDelay, r.initialDelay) }))
      .describe('Backoff between delivery attempts.'),
    webhooks: z.array(webhookSchema).default([]).describe('JSON webhooks. May be empty.'),
    alertmanager: z.array(alertmanagerSchema).default([]).describe('Alertmanagers. May be empty.'),
  })
  .transform((n): NotifyConfig => ({ timeoutMs: n.timeout, retry: n.retry, webhooks: n.webhooks, alertmanager: n.alertmanager }))
  .describe('Where alerts are sent. Every notification is stored first and retried until the receiver answers 2xx.');
