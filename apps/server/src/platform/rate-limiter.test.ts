import { describe, expect, it } from 'vitest';
import { fixedClock } from './clock.ts';
import { createRateLimiter } from './rate-limiter.ts';

describe('createRateLimiter', () => {
  it('allows max messages per sender in the window, then again once it slides', () => {
    const clock = fixedClock(1_000_000);
    const limiter = createRateLimiter(clock, { max: 3, windowMs: 60_000 });
    for (let i = 0; i < 3; i++) {
      expect(limiter.allows('a@example.com')).toBe(true);
      limiter.record('a@example.com');
      clock.set(clock.now() + 10_000);
    }
    expect(limiter.allows('a@example.com')).toBe(false);
    expect(limiter.allows('b@example.com')).toBe(true);
    clock.set(1_000_000 + 60_001);
    expect(limiter.allows('a@example.com')).toBe(true);
  });
});
