import { describe, expect, it } from 'vitest';
import { activeMaintenance, isOpen, localTime, type MaintenanceWindow, parseDailyRange, type WeeklyCalendar } from '../../../src/alerts/calendar.js';

const r = (text: string) => {
  const range = parseDailyRange(text);
  if (!range) throw new Error(text);
  return range;
};

const weekdays = (timezone: string, ranges: string[]): WeeklyCalendar => ({
  timezone,
  week: { mon: ranges.map(r), tue: ranges.map(r), wed: ranges.map(r), thu: ranges.map(r), fri: ranges.map(r), sat: ranges.map(r) },
});

describe('opening hours', () => {
  it('no calendar: always open', () => {
    expect(isOpen(null, new Date('2026-01-04T03:00:00Z'))).toBe(true);
  });

  it('reads the local time of the shop, not of the PC or UTC', () => {
    const berlin = weekdays('Europe/Berlin', ['08:00-20:00']);
    const shanghai = weekdays('Asia/Shanghai', ['08:00-20:00']);
    // 2026-01-05 is a Monday. 06:30 UTC = 07:30 Berlin (closed) = 14:30 Shanghai (open).
    const instant = new Date('2026-01-05T06:30:00Z');
    expect(isOpen(berlin, instant)).toBe(false);
    expect(isOpen(shanghai, instant)).toBe(true);
    // 12:30 UTC = 13:30 Berlin (open) = 20:30 Shanghai (closed).
    expect(isOpen(berlin, new Date('2026-01-05T12:30:00Z'))).toBe(true);
    expect(isOpen(shanghai, new Date('2026-01-05T12:30:00Z'))).toBe(false);
    // Sunday 10:00 Berlin: closed all day.
    expect(isOpen(berlin, new Date('2026-01-04T09:00:00Z'))).toBe(false);
  });

  it('range ends are exclusive, starts inclusive, 24:00 is the end of the day', () => {
    const cal: WeeklyCalendar = { timezone: 'UTC', week: { mon: [r('08:00-12:00'), r('13:00-24:00')] } };
    expect(isOpen(cal, new Date('2026-01-05T07:59:00Z'))).toBe(false);
    expect(isOpen(cal, new Date('2026-01-05T08:00:00Z'))).toBe(true);
    expect(isOpen(cal, new Date('2026-01-05T12:00:00Z'))).toBe(false);
    expect(isOpen(cal, new Date('2026-01-05T23:59:00Z'))).toBe(true);
    expect(isOpen(cal, new Date('2026-01-06T00:00:00Z'))).toBe(false);
  });

  it('a range past midnight belongs to the day it starts on', () => {
    const bar: WeeklyCalendar = { timezone: 'Europe/Berlin', week: { fri: [r('18:00-02:00')] } };
    expect(isOpen(bar, new Date('2026-01-09T22:00:00Z'))).toBe(true); // Fri 23:00
    expect(isOpen(bar, new Date('2026-01-10T00:30:00Z'))).toBe(true); // Sat 01:30
    expect(isOpen(bar, new Date('2026-01-10T01:30:00Z'))).toBe(false); // Sat 02:30
    expect(isOpen(bar, new Date('2026-01-08T23:30:00Z'))).toBe(false); // Fri 00:30 (Thursday had no range)
  });

  it('follows daylight saving: same local opening time, a different UTC hour', () => {
    const berlin = weekdays('Europe/Berlin', ['08:00-20:00']);
    // Winter (UTC+1): 07:30 UTC is 08:30 local. Summer (UTC+2): 06:30 UTC is 08:30 local.
    expect(isOpen(berlin, new Date('2026-03-27T07:30:00Z'))).toBe(true); // Fri before the switch
    expect(isOpen(berlin, new Date('2026-03-27T06:30:00Z'))).toBe(false);
    expect(isOpen(berlin, new Date('2026-03-30T06:30:00Z'))).toBe(true); // Mon after the switch
    expect(isOpen(berlin, new Date('2026-03-30T05:30:00Z'))).toBe(false);
    const ny = weekdays('America/New_York', ['09:00-17:00']);
    expect(isOpen(ny, new Date('2026-11-02T14:30:00Z'))).toBe(true); // Mon 09:30 EST (after fall back)
    expect(isOpen(ny, new Date('2026-10-30T13:30:00Z'))).toBe(true); // Fri 09:30 EDT
    expect(isOpen(ny, new Date('2026-11-02T13:30:00Z'))).toBe(false); // Mon 08:30 EST
  });

  it('on the switch nights: the skipped hour never happens, the doubled hour happens twice', () => {
    // Berlin, Sunday 2026-03-29: 02:00 jumps to 03:00.
    expect(localTime(new Date('2026-03-29T00:59:00Z'), 'Europe/Berlin')).toEqual({ day: 'sun', minute: 1 * 60 + 59 });
    expect(localTime(new Date('2026-03-29T01:00:00Z'), 'Europe/Berlin')).toEqual({ day: 'sun', minute: 3 * 60 });
    // Sunday 2026-10-25: 03:00 falls back to 02:00; 02:30 local occurs at 00:30 and 01:30 UTC.
    const night: WeeklyCalendar = { timezone: 'Europe/Berlin', week: { sun: [r('02:00-03:00')] } };
    expect(isOpen(night, new Date('2026-10-25T00:30:00Z'))).toBe(true);
    expect(isOpen(night, new Date('2026-10-25T01:30:00Z'))).toBe(true);
    expect(isOpen(night, new Date('2026-10-25T02:30:00Z'))).toBe(false);
  });

  it('parses ranges strictly', () => {
    expect(parseDailyRange('08:00-20:00')).toEqual({ start: 480, end: 1200 });
    expect(parseDailyRange('00:00-24:00')).toEqual({ start: 0, end: 1440 });
    for (const bad of ['8:00-20:00', '08:00-24:30', '25:00-26:00', '08:00-08:00', '08:00 - 20:00', '']) expect(parseDailyRange(bad)).toBeNull();
  });
});

describe('maintenance windows', () => {
  const oneOff: MaintenanceWindow = {
    fromMs: Date.parse('2026-12-24T18:00:00+01:00'),
    toMs: Date.parse('2026-12-27T08:00:00+01:00'),
    days: null,
    range: null,
    subjects: [],
    reason: 'holidays',
  };
  const weeklyPrinter: MaintenanceWindow = { fromMs: null, toMs: null, days: ['sun'], range: r('02:00-04:00'), subjects: ['printer-1'], reason: null };

  it('one-off windows cover [from, to)', () => {
    expect(activeMaintenance([oneOff], 'printer-1', new Date('2026-12-24T16:59:59Z'), null)).toBeNull();
    expect(activeMaintenance([oneOff], 'printer-1', new Date('2026-12-24T17:00:00Z'), null)).toBe(oneOff);
    expect(activeMaintenance([oneOff], 'acquirer', new Date('2026-12-26T12:00:00Z'), null)).toBe(oneOff);
    expect(activeMaintenance([oneOff], 'printer-1', new Date('2026-12-27T07:00:00Z'), null)).toBeNull();
  });

  it('weekly windows use the shop time zone and apply only to their subjects', () => {
    const sunday3am = new Date('2026-01-04T02:00:00Z'); // 03:00 Berlin
    expect(activeMaintenance([weeklyPrinter], 'printer-1', sunday3am, 'Europe/Berlin')).toBe(weeklyPrinter);
    expect(activeMaintenance([weeklyPrinter], 'terminal-1', sunday3am, 'Europe/Berlin')).toBeNull();
    expect(activeMaintenance([weeklyPrinter], 'printer-1', sunday3am, 'Asia/Shanghai')).toBeNull(); // 10:00 there
  });
});
