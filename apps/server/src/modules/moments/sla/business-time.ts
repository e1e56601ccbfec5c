import { dateExists } from '../../../platform/calendar-date.ts';
import { AppError } from '../../../platform/errors.ts';

export type Weekday = 'sun' | 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat';

/** Indexed like Date#getUTCDay(). */
export const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/**
 * When a team works, in its own time zone: local "HH:MM" ranges per weekday (end may be
 * "24:00") and local dates with no business time at all.
 */
export type BusinessHours = {
  readonly timeZone: string;
  readonly weekly: Partial<Record<Weekday, readonly (readonly [string, string])[]>>;
  readonly holidays: readonly string[];
};

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
// Real offsets lie within -12h..+14h; a local day's instants lie within this margin of it.
const MARGIN = 15 * HOUR;
const MAX_RANGES_PER_DAY = 12;
const MAX_HOLIDAYS = 1000;

/**
 * The furthest a deadline is set: ten years of calendar. A year-long target in one minute of
 * business time a week lands 10,000 years out; walking there took 3.7 million days, and 12 s
 * in which the server answered nothing. No promise is kept that long: the deadline is capped.
 */
export const LONGEST_DEADLINE_MS = 3_653 * DAY;

/**
 * The deadline `minutes` of business time after `start` (at most LONGEST_DEADLINE_MS after it).
 * Null hours: the clock runs around the clock. Walks day by day, so a month-long deadline costs
 * about thirty day computations.
 * @example addBusinessMinutes(Date.parse('2026-06-01T15:30Z'), 60, { timeZone: 'Europe/Lisbon', weekly: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']] }, holidays: [] }) // Tue 09:30 Lisbon
 */
export function addBusinessMinutes(start: number, minutes: number, hours: BusinessHours | null): number {
  let remaining = Math.round(minutes * MINUTE);
  if (hours === null || remaining <= 0) return start + Math.min(Math.max(remaining, 0), LONGEST_DEADLINE_MS);
  const c = compiled(hours);
  const latest = start + LONGEST_DEADLINE_MS;
  let cursor = start;
  let idle = 0;
  for (let day = localDay(c, start); ; day += 1) {
    if (day * DAY - MARGIN > latest) return latest;
    const intervals = dayIntervals(c, day);
    // Holidays are finite, so an empty stretch longer than all of them plus a week is a bug, not a calendar.
    idle = intervals.length === 0 ? idle + 1 : 0;
    if (idle > 7 * (c.holidays.size + 2)) throw new Error(`business hours ${hours.timeZone} have no time left`);
    for (const [a, b] of intervals) {
      const from = Math.max(a, cursor);
      if (b <= from) continue;
      if (b - from >= remaining) return Math.min(from + remaining, latest);
      remaining -= b - from;
      cursor = b;
    }
  }
}

/** Business time between two instants, in ms (0 when `to` is not after `from`). */
export function businessMsBetween(from: number, to: number, hours: BusinessHours | null): number {
  if (to <= from) return 0;
  if (hours === null) return to - from;
  const c = compiled(hours);
  const last = localDay(c, to);
  let total = 0;
  for (let day = localDay(c, from); day <= last; day += 1) {
    for (const [a, b] of dayIntervals(c, day)) total += Math.max(0, Math.min(b, to) - Math.max(a, from));
  }
  return total;
}

/**
 * Checks business hours as a person typed them and returns them normalised (canonical zone
 * name, sorted ranges and holidays). Throws invalid_field naming the bad part.
 */
export function validateBusinessHours(input: { readonly timeZone?: unknown; readonly weekly?: unknown; readonly holidays?: unknown }): BusinessHours {
  const timeZone = canonicalZone(input.timeZone);
  if (input.weekly === null || typeof input.weekly !== 'object' || Array.isArray(input.weekly)) throw new AppError('invalid_field', 'weekly must map weekdays (mon…sun) to ranges', 'weekly');
  const weekly: Partial<Record<Weekday, [string, string][]>> = {};
  let total = 0;
  for (const [key, value] of Object.entries(input.weekly)) {
    if (!WEEKDAYS.includes(key as Weekday)) throw new AppError('invalid_field', `"${key}" is not a weekday (mon, tue, wed, thu, fri, sat, sun)`, `weekly.${key}`);
    const ranges = validateRanges(value, `weekly.${key}`);
    if (ranges.length > 0) weekly[key as Weekday] = ranges;
    total += ranges.length;
  }
  if (total === 0) throw new AppError('invalid_field', 'business hours need at least one range in the week', 'weekly');
  return { timeZone, weekly, holidays: validateHolidays(input.holidays ?? []) };
}

function canonicalZone(zone: unknown): string {
  if (typeof zone !== 'string' || zone === '') throw new AppError('invalid_field', 'timeZone must be an IANA zone such as Europe/Lisbon', 'timeZone');
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw new AppError('invalid_field', `unknown time zone "${zone}"`, 'timeZone');
  }
}

function validateRanges(value: unknown, field: string): [string, string][] {
  if (!Array.isArray(value)) throw new AppError('invalid_field', `${field} must be a list of ["HH:MM", "HH:MM"] ranges`, field);
  if (value.length > MAX_RANGES_PER_DAY) throw new AppError('invalid_field', `${field} has more than ${MAX_RANGES_PER_DAY} ranges`, field);
  const ranges = value.map((range: unknown, i): [string, string] => {
    const at = `${field}.${i}`;
    if (!Array.isArray(range) || range.length !== 2) throw new AppError('invalid_field', `${at} must be ["HH:MM", "HH:MM"]`, at);
    const [start, end] = range.map((t: unknown, j) => {
      const minutes = minutesOf(t);
      if (minutes === null) throw new AppError('invalid_field', `${at}.${j}: "${String(t)}" is not a time from 00:00 to 24:00`, `${at}.${j}`);
      return minutes;
    });
    if (end <= start) throw new AppError('invalid_field', `${at}: the end ${String(range[1])} must be after the start ${String(range[0])}`, at);
    return [range[0] as string, range[1] as string];
  });
  ranges.sort((a, b) => minutesOf(a[0])! - minutesOf(b[0])!);
  for (let i = 1; i < ranges.length; i += 1) {
    if (minutesOf(ranges[i][0])! < minutesOf(ranges[i - 1][1])!) throw new AppError('invalid_field', `${field}: ranges ${ranges[i - 1].join('-')} and ${ranges[i].join('-')} overlap`, field);
  }
  return ranges;
}

function validateHolidays(value: unknown): string[] {
  if (!Array.isArray(value)) throw new AppError('invalid_field', 'holidays must be a list of dates (YYYY-MM-DD)', 'holidays');
  if (value.length > MAX_HOLIDAYS) throw new AppError('invalid_field', `at most ${MAX_HOLIDAYS} holidays`, 'holidays');
  value.forEach((d: unknown, i) => {
    if (typeof d !== 'string' || !isDate(d)) throw new AppError('invalid_field', `"${String(d)}" is not a date (YYYY-MM-DD)`, `holidays.${i}`);
  });
  return [...new Set(value as string[])].sort();
}

function isDate(text: string): boolean {
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  return date !== null && dateExists(Number(date[1]), Number(date[2]), Number(date[3]));
}

/** "09:30" → 570; "24:00" → 1440; anything else → null. */
function minutesOf(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h === 24 && min === 0) return 1440;
  return h < 24 && min < 60 ? h * 60 + min : null;
}

/** Business hours in the form the arithmetic uses; built once per object. */
type Compiled = {
  readonly format: Intl.DateTimeFormat;
  /** Per getUTCDay() index: [startMinute, endMinute) ranges. */
  readonly weekly: readonly (readonly [number, number])[][];
  readonly holidays: ReadonlySet<string>;
};

const cache = new WeakMap<BusinessHours, Compiled>();
// Making a formatter costs far more than using one; zones are few (about 600 exist).
const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formats.set(timeZone, format);
  }
  return format;
}

function compiled(hours: BusinessHours): Compiled {
  let c = cache.get(hours);
  if (!c) {
    c = {
      format: formatFor(hours.timeZone),
      weekly: WEEKDAYS.map((d) => (hours.weekly[d] ?? []).map(([s, e]) => [minutesOf(s) ?? 0, minutesOf(e) ?? 0] as const)),
      holidays: new Set(hours.holidays),
    };
    cache.set(hours, c);
  }
  return c;
}

/** The zone's wall-clock reading at instant `t`, expressed as if it were UTC. */
function wallClock(c: Compiled, t: number): number {
  const f: Record<string, number> = {};
  for (const p of c.format.formatToParts(t)) if (p.type !== 'literal') f[p.type] = Number(p.value);
  return Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second) + (((t % 1000) + 1000) % 1000);
}

const offsetAt = (c: Compiled, t: number): number => wallClock(c, t) - t;

/** Local calendar day (days since 1970-01-01 in the zone) of an instant. */
const localDay = (c: Compiled, t: number): number => Math.floor(wallClock(c, t) / DAY);

/**
 * The instants, as sorted [from, to) intervals, whose local time falls in a business range of
 * local day `day`. Within a stretch of constant offset, local time = instant + offset, so each
 * range maps to one interval per stretch: a spring-forward day loses the skipped hour, a
 * fall-back day counts the repeated hour twice. Assumes at most one offset change near a day.
 */
function dayIntervals(c: Compiled, day: number): [number, number][] {
  const midnight = day * DAY;
  const ranges = c.weekly[new Date(midnight).getUTCDay()];
  if (ranges.length === 0 || c.holidays.has(new Date(midnight).toISOString().slice(0, 10))) return [];
  const lo = midnight - MARGIN;
  const hi = midnight + DAY + MARGIN;
  const before = offsetAt(c, lo);
  const after = offsetAt(c, hi);
  const change = before === after ? Infinity : transition(c, lo, hi, before);
  const stretches = before === after ? [{ from: -Infinity, to: Infinity, offset: before }] : [{ from: -Infinity, to: change, offset: before }, { from: change, to: Infinity, offset: after }];
  const out: [number, number][] = [];
  for (const [s, e] of ranges) {
    for (const st of stretches) {
      const a = Math.max(midnight + s * MINUTE - st.offset, st.from);
      const b = Math.min(midnight + e * MINUTE - st.offset, st.to);
      if (a < b) out.push([a, b]);
    }
  }
  out.sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const iv of out) {
    const top = merged[merged.length - 1];
    if (top && iv[0] <= top[1]) top[1] = Math.max(top[1], iv[1]);
    else merged.push([iv[0], iv[1]]);
  }
  return merged;
}

/** The first second in (lo, hi] whose offset is no longer `before` (offsets change on whole seconds). */
function transition(c: Compiled, lo: number, hi: number, before: number): number {
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (offsetAt(c, mid) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}
