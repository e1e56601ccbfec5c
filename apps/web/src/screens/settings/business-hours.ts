import type { BusinessHours, Weekday } from '../../api/types.ts';

export const WEEKDAYS: readonly { readonly day: Weekday; readonly label: string }[] = [
  { day: 'mon', label: 'Monday' },
  { day: 'tue', label: 'Tuesday' },
  { day: 'wed', label: 'Wednesday' },
  { day: 'thu', label: 'Thursday' },
  { day: 'fri', label: 'Friday' },
  { day: 'sat', label: 'Saturday' },
  { day: 'sun', label: 'Sunday' },
];

/**
 * The time zones a schedule may use, for a select: the browser's list (Chromium's leaves out
 * UTC), UTC first, and the schedule's own zone if the browser does not know it, so it shows.
 */
export function timeZoneChoices(current: string, supported: readonly string[] = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []): string[] {
  const unknown = current !== 'UTC' && !supported.includes(current) ? [current] : [];
  return ['UTC', ...unknown, ...supported.filter((zone) => zone !== 'UTC')];
}

/** A day's ranges as people type them: "09:00-12:30, 13:30-17:00"; empty: closed. */
export const rangesText = (ranges: readonly (readonly [string, string])[] | undefined) => (ranges ?? []).map(([from, to]) => `${from}-${to}`).join(', ');

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

/** Parses one day's text; an error names what is wrong in words. */
export function parseRanges(text: string): { readonly ranges: [string, string][] } | { readonly error: string } {
  const ranges: [string, string][] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [from = '', to = ''] = part.split('-').map((p) => p.trim().padStart(5, '0'));
    if (!TIME.test(from) || !(TIME.test(to) || to === '24:00')) return { error: `“${part}” is not a range like 09:00-17:00` };
    if (minutes(to) <= minutes(from)) return { error: `“${part}” ends before it starts` };
    if (ranges.length && minutes(from) < minutes(ranges[ranges.length - 1]![1])) return { error: 'Ranges must be in order and not overlap' };
    ranges.push([from, to]);
  }
  return { ranges };
}

/** The weekly schedule from the form, or the errors per day. */
export function weeklyFromText(text: Readonly<Partial<Record<Weekday, string>>>): { readonly weekly: BusinessHours['weekly']; readonly errors: Partial<Record<Weekday, string>> } {
  const weekly: Partial<Record<Weekday, [string, string][]>> = {};
  const errors: Partial<Record<Weekday, string>> = {};
  for (const { day } of WEEKDAYS) {
    const parsed = parseRanges(text[day] ?? '');
    if ('error' in parsed) errors[day] = parsed.error;
    else if (parsed.ranges.length) weekly[day] = parsed.ranges;
  }
  return { weekly, errors };
}

/** Holidays from "2026-12-25, 2027-01-01" (one per line or comma): the valid dates, or an error. */
export function parseHolidays(text: string): { readonly holidays: string[] } | { readonly error: string } {
  const holidays = text.split(/[\s,]+/).filter(Boolean);
  const bad = holidays.find((d) => !/^\d{4}-\d{2}-\d{2}$/.test(d) || Number.isNaN(Date.parse(`${d}T00:00:00Z`)));
  return bad ? { error: `“${bad}” is not a date like 2026-12-25` } : { holidays: [...new Set(holidays)].sort() };
}
