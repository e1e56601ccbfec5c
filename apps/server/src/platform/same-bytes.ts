import { timingSafeEqual } from 'node:crypto';

/**
 * Whether a given secret or signature equals the expected one, compared in constant time
 * (texts as UTF-8). Different lengths are simply unequal, where timingSafeEqual would throw.
 * @example sameBytes(request.headers['x-token'] ?? '', channel.secrets.token)
 */
export function sameBytes(given: Buffer | string, expected: Buffer | string): boolean {
  const a = typeof given === 'string' ? Buffer.from(given) : given;
  const b = typeof expected === 'string' ? Buffer.from(expected) : expected;
  return a.length === b.length && timingSafeEqual(a, b);
}
