const DAY_MS = 86_400_000;
/** 10000-01-01T00:00:00Z: from there on toISOString writes a six-digit, signed year. */
const YEAR_10000_MS = 253_402_300_800_000;
/** The character code of '0'. */
const ZERO = 48;

/**
 * `new Date(ms).toISOString()`, about four times faster: a list page writes some 550 times
 * (eleven per moment), and V8's toISOString (~1 µs each) was a tenth of the request.
 * The 24 characters go into one `String.fromCharCode`, which makes the string in one piece:
 * joining twelve pieces left about 350 bytes of garbage a time, a fifth of an inbox page's,
 * and the young-generation collections that follow it land in other requests.
 * Calendar arithmetic after Howard Hinnant's days-to-civil; anything outside 1970–9999 or
 * not a whole millisecond goes to toISOString, so the output is always the same.
 * @example isoTime(0) // '1970-01-01T00:00:00.000Z'
 */
export function isoTime(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms >= YEAR_10000_MS) return new Date(ms).toISOString();
  const days = Math.floor(ms / DAY_MS);
  let rest = ms - days * DAY_MS;
  // Days counted from 0000-03-01, in 400-year eras, so that leap days fall at the end of a year.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  return String.fromCharCode(
    ZERO + Math.floor(year / 1000), ZERO + (Math.floor(year / 100) % 10), ZERO + (Math.floor(year / 10) % 10), ZERO + (year % 10), 0x2d, // YYYY-
    ZERO + Math.floor(month / 10), ZERO + (month % 10), 0x2d, // MM-
    ZERO + Math.floor(day / 10), ZERO + (day % 10), 0x54, // DDT
    ZERO + Math.floor(hours / 10), ZERO + (hours % 10), 0x3a, // hh:
    ZERO + Math.floor(minutes / 10), ZERO + (minutes % 10), 0x3a, // mm:
    ZERO + Math.floor(seconds / 10), ZERO + (seconds % 10), 0x2e, // ss.
    ZERO + Math.floor(millis / 100), ZERO + (Math.floor(millis / 10) % 10), ZERO + (millis % 10), 0x5a, // sssZ
  );
}
