/** The time source. Passed in as a dependency so tests can move time (inactivity, lifecycle). */
export type Clock = { readonly now: () => number };

export const systemClock: Clock = { now: () => Date.now() };

/** A clock a test can set. @example const c = fixedClock(Date.parse('2026-01-01')); c.set(c.now() + 1000) */
export function fixedClock(start: number): Clock & { set: (ms: number) => void } {
  let current = start;
  return { now: () => current, set: (ms) => { current = ms; } };
}
