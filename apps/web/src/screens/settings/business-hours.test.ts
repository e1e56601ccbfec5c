import { describe, expect, it } from 'vitest';
import { parseHolidays, parseRanges, rangesText, timeZoneChoices, weeklyFromText } from './business-hours.ts';

describe('business hours editor', () => {
  it('always offers UTC, and a stored time zone even when the browser does not list it', () => {
    const chromium = ['Africa/Abidjan', 'Europe/Lisbon'];
    expect(timeZoneChoices('Europe/Lisbon', chromium)).toEqual(['UTC', 'Africa/Abidjan', 'Europe/Lisbon']);
    expect(timeZoneChoices('UTC', chromium)).toEqual(['UTC', 'Africa/Abidjan', 'Europe/Lisbon']);
    expect(timeZoneChoices('Etc/UTC', chromium)).toEqual(['UTC', 'Etc/UTC', 'Africa/Abidjan', 'Europe/Lisbon']);
    expect(timeZoneChoices('UTC')).toContain('UTC');
  });

  it('parses ranges as people type them', () => {
    expect(parseRanges('09:00-12:30, 13:30 - 17:00')).toEqual({ ranges: [['09:00', '12:30'], ['13:30', '17:00']] });
    expect(parseRanges('9:00-24:00')).toEqual({ ranges: [['09:00', '24:00']] });
    expect(parseRanges('')).toEqual({ ranges: [] });
    expect(parseRanges('nine to five')).toEqual({ error: '“nine to five” is not a range like 09:00-17:00' });
    expect(parseRanges('17:00-09:00')).toEqual({ error: '“17:00-09:00” ends before it starts' });
    expect(parseRanges('09:00-13:00, 12:00-17:00')).toEqual({ error: 'Ranges must be in order and not overlap' });
  });

  it('builds the weekly schedule, leaving closed days out, and shows it back', () => {
    const { weekly, errors } = weeklyFromText({ mon: '09:00-17:00', tue: '', sat: 'x' });
    expect(weekly).toEqual({ mon: [['09:00', '17:00']] });
    expect(errors).toEqual({ sat: '“x” is not a range like 09:00-17:00' });
    expect(rangesText([['09:00', '12:00'], ['13:00', '17:00']])).toBe('09:00-12:00, 13:00-17:00');
  });

  it('reads holidays separated by commas or lines', () => {
    expect(parseHolidays('2026-12-25,\n2026-01-01 2026-12-25')).toEqual({ holidays: ['2026-01-01', '2026-12-25'] });
    expect(parseHolidays('25/12/2026')).toEqual({ error: '“25/12/2026” is not a date like 2026-12-25' });
  });
});
