import { describe, expect, it } from 'vitest';
import { dateExists } from './calendar-date.ts';

describe('dateExists', () => {
  it('knows month lengths and leap years, and refuses what the calendar has not', () => {
    expect([dateExists(2024, 2, 29), dateExists(2023, 2, 29), dateExists(2000, 2, 29), dateExists(1900, 2, 29)]).toEqual([true, false, true, false]);
    expect([dateExists(2024, 4, 30), dateExists(2024, 4, 31), dateExists(2024, 12, 31)]).toEqual([true, false, true]);
    expect([dateExists(2024, 13, 1), dateExists(2024, 0, 1), dateExists(2024, 1, 0), dateExists(2024, 1.5, 1)]).toEqual([false, false, false, false]);
  });
});
