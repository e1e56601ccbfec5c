/** The earliest time a touchpoint may carry: anything before 1900 is a broken clock. */
const EARLIEST_TIME = Date.UTC(1900, 0, 1);
/** How far ahead of the server's clock a time may be: a time in 9999 would lead "last seen" for good. */
const LATEST_AHEAD_MS = 24 * 3_600_000;

/** Whether a time (ms) is one a touchpoint may carry: from 1900 to a day ahead of `now`. */
export function plausibleTime(time: number, now: number): boolean {
  return time >= EARLIEST_TIME && time <= now + LATEST_AHEAD_MS;
}
