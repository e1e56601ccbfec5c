import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../platform/errors.ts';
import { addBusinessMinutes, businessMsBetween, LONGEST_DEADLINE_MS, validateBusinessHours, type BusinessHours } from './business-time.ts';

const H = 3_600_000;
const nineToFive = [['09:00', '17:00']] as const;
const office = (timeZone: string, extra: Partial<BusinessHours> = {}): BusinessHours => ({
  timeZone,
  weekly: { mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: nineToFive },
  holidays: [],
  ...extra,
});
const allDay = (timeZone: string): BusinessHours => ({
  timeZone,
  weekly: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '24:00']]])),
  holidays: [],
});
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('addBusinessMinutes', () => {
  const lisbon = office('Europe/Lisbon');

  it('caps a deadline at ten years out, and gets there quickly', () => {
    // A year of business time in one minute a week lies 10,000 years out: the walk stopped the server for 12 s.
    const sparse: BusinessHours = { timeZone: 'Europe/Lisbon', weekly: { mon: [['00:00', '00:01']] }, holidays: [] };
    const started = performance.now();
    const due = addBusinessMinutes(at('2026-06-01T15:30:00Z'), 525_600, sparse);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(due).toBe(at('2026-06-01T15:30:00Z') + LONGEST_DEADLINE_MS);
    expect(iso(due).slice(0, 4)).toBe('2036');
    // What fits within the ten years is unchanged: three Mondays' minutes end on the third Monday.
    expect(iso(addBusinessMinutes(at('2026-06-01T15:30:00Z'), 3, sparse))).toBe('2026-06-21T23:01:00.000Z');
  });

  it('carries what does not fit today over to the next morning', () => {
    // Monday 2026-06-01 16:30 in Lisbon (UTC+1 in summer).
    expect(iso(addBusinessMinutes(at('2026-06-01T15:30:00Z'), 60, lisbon))).toBe('2026-06-02T08:30:00.000Z');
  });

  it('ends exactly at closing time rather than the next morning', () => {
    expect(iso(addBusinessMinutes(at('2026-06-01T15:30:00Z'), 30, lisbon))).toBe('2026-06-01T16:00:00.000Z');
  });

  it('starts counting at opening time when started outside hours', () => {
    expect(iso(addBusinessMinutes(at('2026-06-01T05:00:00Z'), 15, lisbon))).toBe('2026-06-01T08:15:00.000Z');
  });

  it('goes from Friday evening to Monday', () => {
    expect(iso(addBusinessMinutes(at('2026-06-05T17:00:00Z'), 30, lisbon))).toBe('2026-06-08T08:30:00.000Z');
  });

  it('skips holidays', () => {
    const withHoliday = office('Europe/Lisbon', { holidays: ['2026-06-02'] });
    expect(iso(addBusinessMinutes(at('2026-06-01T15:30:00Z'), 60, withHoliday))).toBe('2026-06-03T08:30:00.000Z');
  });

  it('runs around the clock without business hours', () => {
    expect(addBusinessMinutes(1_000, 2, null)).toBe(121_000);
    expect(addBusinessMinutes(1_000, 0, lisbon)).toBe(1_000);
  });

  it('counts real time when every hour is business time, across DST changes', () => {
    for (const zone of ['Europe/Lisbon', 'America/New_York']) {
      const hours = allDay(zone);
      for (const start of ['2026-03-07T12:00:00Z', '2026-03-28T12:00:00Z', '2026-10-24T12:00:00Z', '2026-10-31T12:00:00Z']) {
        expect(addBusinessMinutes(at(start), 3 * 24 * 60, hours)).toBe(at(start) + 72 * H);
      }
    }
  });

  it('loses the skipped hour on a spring-forward day (Lisbon, 2026-03-29 01:00 → 02:00)', () => {
    const sunday: BusinessHours = { timeZone: 'Europe/Lisbon', weekly: { sun: [['00:00', '24:00']] }, holidays: [] };
    expect(businessMsBetween(at('2026-03-28T00:00:00Z'), at('2026-03-30T00:00:00Z'), sunday)).toBe(23 * H);
    const night: BusinessHours = { timeZone: 'Europe/Lisbon', weekly: { sun: [['00:30', '01:30']] }, holidays: [] };
    expect(businessMsBetween(at('2026-03-28T00:00:00Z'), at('2026-03-30T00:00:00Z'), night)).toBe(0.5 * H);
  });

  it('counts the repeated hour twice on a fall-back day (Lisbon, 2026-10-25 02:00 → 01:00)', () => {
    const sunday: BusinessHours = { timeZone: 'Europe/Lisbon', weekly: { sun: [['00:00', '24:00']] }, holidays: [] };
    expect(businessMsBetween(at('2026-10-24T00:00:00Z'), at('2026-10-27T00:00:00Z'), sunday)).toBe(25 * H);
    const night: BusinessHours = { timeZone: 'Europe/Lisbon', weekly: { sun: [['01:00', '02:00']] }, holidays: [] };
    expect(businessMsBetween(at('2026-10-24T00:00:00Z'), at('2026-10-27T00:00:00Z'), night)).toBe(2 * H);
    // 00:00 WEST = 2026-10-24T23:00Z; one hour of business after 01:00 WEST is 01:00 WET.
    expect(iso(addBusinessMinutes(at('2026-10-24T23:00:00Z'), 90, night))).toBe('2026-10-25T01:30:00.000Z');
  });

  it('follows New York across its DST changes (2026-03-08 and 2026-11-01)', () => {
    const ny = office('America/New_York', { weekly: { sat: nineToFive, sun: nineToFive, mon: nineToFive } });
    // Saturday 16:00 EST (21:00Z) + 2h: one hour on Saturday, one on Sunday from 09:00 EDT (13:00Z).
    expect(iso(addBusinessMinutes(at('2026-03-07T21:00:00Z'), 120, ny))).toBe('2026-03-08T14:00:00.000Z');
    // Saturday 16:00 EDT (20:00Z) + 2h: Sunday now opens at 09:00 EST (14:00Z).
    expect(iso(addBusinessMinutes(at('2026-10-31T20:00:00Z'), 120, ny))).toBe('2026-11-01T15:00:00.000Z');
    const night: BusinessHours = { timeZone: 'America/New_York', weekly: { sun: [['01:00', '03:00']] }, holidays: [] };
    expect(businessMsBetween(at('2026-03-07T00:00:00Z'), at('2026-03-09T00:00:00Z'), night)).toBe(1 * H);
    expect(businessMsBetween(at('2026-10-31T00:00:00Z'), at('2026-11-02T00:00:00Z'), night)).toBe(3 * H);
  });

  it('is quick over long spans', () => {
    const started = performance.now();
    const due = addBusinessMinutes(at('2026-01-01T00:00:00Z'), 8 * 60 * 260, lisbon);
    expect(businessMsBetween(at('2026-01-01T00:00:00Z'), due, lisbon)).toBe(8 * 260 * H);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('businessMsBetween', () => {
  const zones = ['Europe/Lisbon', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe'];
  const hoursArb = fc.record({
    zone: fc.constantFrom(...zones),
    night: fc.boolean(),
    holiday: fc.boolean(),
  });

  it('is the inverse of addBusinessMinutes', () => {
    fc.assert(
      fc.property(hoursArb, fc.integer({ min: at('2026-01-01T00:00:00Z'), max: at('2027-12-31T00:00:00Z') }), fc.integer({ min: 1, max: 20_000 }), (h, start, minutes) => {
        const hours = office(h.zone, {
          weekly: { mon: nineToFive, wed: [['08:00', '12:00'], ['13:00', '18:30']], fri: nineToFive, sun: h.night ? [['00:30', '03:00']] : [['10:00', '14:00']] },
          holidays: h.holiday ? ['2026-12-25', '2027-01-01'] : [],
        });
        const due = addBusinessMinutes(start, minutes, hours);
        expect(due).toBeGreaterThan(start);
        expect(businessMsBetween(start, due, hours)).toBe(minutes * 60_000);
      }),
      { numRuns: 300 },
    );
  });

  it('is 0 backwards and counts wall time without hours', () => {
    expect(businessMsBetween(10, 5, null)).toBe(0);
    expect(businessMsBetween(5, 10, null)).toBe(5);
  });
});

describe('validateBusinessHours', () => {
  const fieldOf = (input: Parameters<typeof validateBusinessHours>[0]) => {
    try {
      validateBusinessHours(input);
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).code).toBe('invalid_field');
      return (e as AppError).field;
    }
    throw new Error('expected invalid_field');
  };

  it('normalises a good week', () => {
    const hours = validateBusinessHours({ timeZone: 'europe/lisbon', weekly: { mon: [['13:00', '17:00'], ['09:00', '12:00']], sun: [] }, holidays: ['2026-12-25', '2026-01-01'] });
    expect(hours).toEqual({ timeZone: 'Europe/Lisbon', weekly: { mon: [['09:00', '12:00'], ['13:00', '17:00']] }, holidays: ['2026-01-01', '2026-12-25'] });
    expect(validateBusinessHours({ timeZone: 'UTC', weekly: { fri: [['18:00', '24:00']] } }).holidays).toEqual([]);
  });

  it('names the bad part', () => {
    expect(fieldOf({ timeZone: 'Mars/Olympus', weekly: { mon: nineToFive } })).toBe('timeZone');
    expect(fieldOf({ timeZone: 42, weekly: { mon: nineToFive } })).toBe('timeZone');
    expect(fieldOf({ timeZone: 'UTC', weekly: { mon: [['09:00', '25:00']] } })).toBe('weekly.mon.0.1');
    expect(fieldOf({ timeZone: 'UTC', weekly: { mon: [['9:00', '17:00']] } })).toBe('weekly.mon.0.0');
    expect(fieldOf({ timeZone: 'UTC', weekly: { tue: [['09:00', '17:00'], ['17:00', '17:00']] } })).toBe('weekly.tue.1');
    expect(fieldOf({ timeZone: 'UTC', weekly: { tue: [['09:00', '13:00'], ['12:00', '17:00']] } })).toBe('weekly.tue');
    expect(fieldOf({ timeZone: 'UTC', weekly: { monday: nineToFive } })).toBe('weekly.monday');
    expect(fieldOf({ timeZone: 'UTC', weekly: { mon: [] } })).toBe('weekly');
    expect(fieldOf({ timeZone: 'UTC', weekly: {} })).toBe('weekly');
    expect(fieldOf({ timeZone: 'UTC', weekly: [] })).toBe('weekly');
    expect(fieldOf({ timeZone: 'UTC', weekly: { mon: nineToFive }, holidays: ['2026-02-30'] })).toBe('holidays.0');
    expect(fieldOf({ timeZone: 'UTC', weekly: { mon: nineToFive }, holidays: ['2026-01-01', 'Christmas'] })).toBe('holidays.1');
  });
});
