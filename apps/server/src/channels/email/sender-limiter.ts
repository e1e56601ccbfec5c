import type { Clock } from '../../platform/clock.ts';

export type SenderLimiter = {
  /** Whether the sender may deliver another message now. */
  readonly allows: (sender: string) => boolean;
  /** Counts a message the sender delivered. */
  readonly record: (sender: string) => void;
};

/**
 * At most `max` messages per sender in any `windowMs` (a sliding window, in this process). A
 * sender over the limit gets a temporary SMTP failure: a real mail server retries later, a
 * runaway autoresponder loop is slowed to a trickle.
 * @example const limiter = createSenderLimiter(clock, { max: 30, windowMs: 600_000 })
 */
export function createSenderLimiter(clock: Clock, limits: { readonly max: number; readonly windowMs: number }): SenderLimiter {
  const seen = new Map<string, number[]>();
  const recent = (sender: string, now: number) => {
    const times = (seen.get(sender) ?? []).filter((t) => t > now - limits.windowMs);
    if (times.length === 0) seen.delete(sender);
    else seen.set(sender, times);
    return times;
  };
  let sweeps = 0;
  return {
    allows: (sender) => recent(sender, clock.now()).length < limits.max,
    record: (sender) => {
      const now = clock.now();
      seen.set(sender, [...recent(sender, now), now]);
      // Forget quiet senders now and then, so the map does not grow with every address ever seen.
      if (++sweeps % 1000 === 0) for (const key of [...seen.keys()]) recent(key, now);
    },
  };
}
