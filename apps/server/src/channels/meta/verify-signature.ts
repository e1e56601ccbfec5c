import { createHmac } from 'node:crypto';
import { sameBytes } from '../../platform/same-bytes.ts';

const PREFIX = 'sha256=';

/**
 * Whether a Meta webhook delivery is genuine: `X-Hub-Signature-256` must be `sha256=` and the
 * hex HMAC-SHA256 of the raw body bytes under the app secret. Compared in constant time; a
 * missing, truncated or malformed header is simply false.
 * @example verifyMetaSignature("It's a Secret to Everybody", Buffer.from('Hello, World!'), 'sha256=757107ea…') // true
 */
export function verifyMetaSignature(appSecret: string, rawBody: Buffer, header: string | readonly string[] | undefined): boolean {
  if (typeof header !== 'string' || !header.startsWith(PREFIX) || appSecret === '') return false;
  const given = header.slice(PREFIX.length);
  // Hex only: Buffer.from(…, 'hex') would silently stop at the first bad character.
  if (!/^[0-9a-fA-F]{64}$/.test(given)) return false;
  return sameBytes(Buffer.from(given, 'hex'), createHmac('sha256', appSecret).update(rawBody).digest());
}

/** The header Meta would send for a body (tests and stand-ins sign with it). */
export function signMetaBody(appSecret: string, rawBody: Buffer | string): string {
  return PREFIX + createHmac('sha256', appSecret).update(rawBody).digest('hex');
}
