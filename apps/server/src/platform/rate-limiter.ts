import type { Clock } from './clock.ts';

export type RateLimiter = {
  /** Whether the key may act again now. */
  readonly allows: (key: string) => boolean;
  /** Counts one act of the key. */
  readonly record: (key: string) => void;
  /** Forgets the key's acts (a successful sign-in clears its failures). */
  readonly forget: (key: string) => void;
};

/**
 * At most `max` acts per key in any `windowMs` (a sliding window, in this process): mail per
 * sender (a runaway autoresponder is slowed to a trickle), failed sign-ins per email and per
 * address (password guessing is slowed to a crawl).
 * @example const limiter = createRateLimiter(clock, { max: 30, windowMs: 600_000 })
 */
export function createRateLimiter(clock: Clock, limits: { readonly max: number; readonly windowMs: number }): RateLimiter {
  const seen = new Map<string, number[]>();
  const recent = (key: string, now: number) => {
    const times = (seen.get(key) ?? []).filter((t) => t > now - limits.windowMs);
    if (times.length === 0) seen.delete(key);
    else seen.set(key, times);
    return times;
  };
  let sweeps = 0;
  return {
    allows: (key) => recent(key, clock.now()).length < limits.max,
    record: (key) => {
      const now = clock.now();
      seen.set(key, [...recent(key, now), now]);
      // Forget quiet keys now and then, so the map does not grow with every key ever seen.
      if (++sweeps % 1000 === 0) for (const other of [...seen.keys()]) recent(other, now);
    },
    forget: (key) => void seen.delete(key),
  };
}
