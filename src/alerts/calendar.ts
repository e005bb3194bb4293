/**
 * Opening hours and maintenance windows: pure functions of an instant. Local time comes from
 * Intl with the configured IANA zone, so daylight saving is the zone database's business, not
 * ours: 02:30 on a spring-forward night simply never occurs, and 02:30 on a fall-back night
 * occurs twice and is inside "02:00-03:00" both times.
 */

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Minutes after local midnight; `end` may be 1440 (24:00), and `end < start` crosses midnight. */
export interface DailyRange {
  start: number;
  end: number;
}

export interface WeeklyCalendar {
  /** IANA zone, or null for the PC's own zone. */
  timezone: string | null;
  /** Ranges per weekday; a missing or empty day is closed all day. */
  week: Partial<Record<Weekday, DailyRange[]>>;
}

export interface MaintenanceWindow {
  /** Absolute window (epoch ms), or null for a weekly one. */
  fromMs: number | null;
  toMs: number | null;
  /** Weekly window in the opening hours' zone: these days, this range. */
  days: Weekday[] | null;
  range: DailyRange | null;
  /** Devices or targets it applies to; empty: everything. */
  subjects: string[];
  reason: string | null;
}

export interface LocalTime {
  day: Weekday;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The weekday and minute of the day at `now` in `timezone` (null: the process's zone). */
export function localTime(now: Date, timezone: string | null): LocalTime {
  const key = timezone ?? '';
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      ...(timezone ? { timeZone: timezone } : {}),
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(key, formatter);
  }
  let day: Weekday = 'sun';
  let hour = 0;
  let minute = 0;
  for (const part of formatter.formatToParts(now)) {
    if (part.type === 'weekday') day = part.value.slice(0, 3).toLowerCase() as Weekday;
    else if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return { day, minute: hour * 60 + minute };
}

const previousDay = (day: Weekday): Weekday => WEEKDAYS[(WEEKDAYS.indexOf(day) + 6) % 7] as Weekday;

/** Whether the local time falls into one of the day's ranges (or yesterday's overnight one). */
function inWeekly(local: LocalTime, rangesOf: (day: Weekday) => readonly DailyRange[]): boolean {
  for (const r of rangesOf(local.day)) {
    if (r.start <= r.end ? local.minute >= r.start && local.minute < r.end : local.minute >= r.start) return true;
  }
  // A range such as 18:00-02:00 written on Friday covers Saturday 00:00-02:00.
  for (const r of rangesOf(previousDay(local.day))) {
    if (r.end < r.start && local.minute < r.end) return true;
  }
  return false;
}

/** Open at `now`? No calendar means always open: a shop that set none gets every alert at full severity. */
export function isOpen(calendar: WeeklyCalendar | null, now: Date): boolean {
  if (!calendar) return true;
  return inWeekly(localTime(now, calendar.timezone), (day) => calendar.week[day] ?? []);
}

/** The maintenance window covering `subject` at `now`, if any. */
export function activeMaintenance(
  windows: readonly MaintenanceWindow[],
  subject: string,
  now: Date,
  timezone: string | null,
): MaintenanceWindow | null {
  const at = now.getTime();
  for (const w of windows) {
    if (w.subjects.length > 0 && !w.subjects.includes(subject)) continue;
    if (w.fromMs !== null && w.toMs !== null) {
      if (at >= w.fromMs && at < w.toMs) return w;
    } else if (w.days && w.range) {
      const range = w.range;
      const days = w.days;
      if (inWeekly(localTime(now, timezone), (day) => (days.includes(day) ? [range] : []))) return w;
    }
  }
  return null;
}

/** "08:00-20:00" → minutes; "00:00-24:00" is the whole day. Null when the text is not a range. */
export function parseDailyRange(text: string): DailyRange | null {
  const match = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$/.exec(text);
  if (!match) return null;
  const start = Number(match[1]) * 60 + Number(match[2]);
  const end = Number(match[3]) * 60 + Number(match[4]);
  if (end > 1440 || start === end) return null;
  return { start, end };
}
