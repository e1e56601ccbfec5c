import { createHmac } from 'node:crypto';
import { sameBytes } from '../../platform/same-bytes.ts';

/**
 * The hash a site's server computes for a signed-in visitor: hex HMAC-SHA256 of the user id,
 * keyed with the chat channel's identity secret.
 * @example userHashOf('s3cret', 'user-42') // 'a1b2…' (64 hex characters)
 */
export function userHashOf(secret: string, userId: string): string {
  return createHmac('sha256', secret).update(userId, 'utf8').digest('hex');
}

/**
 * Whether `userHash` proves the site vouches for `userId`: compared in constant time, so
 * the time taken reveals nothing about the right hash. No secret, no hash: never verified.
 */
export function verifyUserHash(secret: string | undefined, userId: string, userHash: string | null | undefined): boolean {
  if (!secret || !userHash || !/^[0-9a-f]{64}$/i.test(userHash)) return false;
  return sameBytes(Buffer.from(userHash, 'hex'), Buffer.from(userHashOf(secret, userId), 'hex'));
}
