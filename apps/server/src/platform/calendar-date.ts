/**
 * Whether a year, month (1–12) and day name a day the calendar has. Date.parse and Date.UTC
 * roll 2024-02-30 over into March 1st: a typo must not become another date.
 * @example dateExists(2024, 2, 29) // true
 * @example dateExists(2023, 2, 29) // false
 */
export function dateExists(year: number, month: number, day: number): boolean {
  if (![year, month, day].every(Number.isInteger) || month < 1 || month > 12 || day < 1) return false;
  // Day 0 of the next month is this month's last (setUTCFullYear, unlike Date.UTC, takes years below 100 as they are).
  const last = new Date(0);
  last.setUTCFullYear(year, month, 0);
  return day <= last.getUTCDate();
}
