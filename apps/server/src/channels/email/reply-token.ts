import { createHmac, randomBytes } from 'node:crypto';
import { sameBytes } from '../../platform/same-bytes.ts';
import { isId } from '../../platform/ids.ts';

/** The channel secret that signs reply tokens (kept with the channel's other secrets, never shown). */
export const REPLY_SECRET = 'replyTokenSecret';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const MOMENT_CHARS = 26; // 16 bytes of moment id
const MAC_BYTES = 10; // 80 bits: unguessable, and the whole address stays under 64 characters
const TOKEN = /^[a-z2-7]{42}$/;

/**
 * The token of a reply address `reply+<token>@<domain>`: the moment id (base32) and a
 * truncated HMAC-SHA256 of channel and moment under the channel's secret. Lower-case base32
 * because mail systems may change the case of a local part. Null for ids that are not UUIDs.
 * @example makeReplyToken(secret, channelId, momentId) // '…42 characters…'
 */
export function makeReplyToken(secret: string, channelId: string, momentId: string): string | null {
  if (!isId(momentId)) return null;
  return base32(Buffer.from(momentId.replaceAll('-', ''), 'hex')) + base32(mac(secret, channelId, momentId));
}

/** The moment a token names, when the channel's secret signed it; null for anything forged or mangled. */
export function readReplyToken(secret: string, channelId: string, token: string): string | null {
  const text = token.toLowerCase();
  if (!TOKEN.test(text)) return null;
  const hex = fromBase32(text.slice(0, MOMENT_CHARS)).subarray(0, 16).toString('hex');
  const momentId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  const given = fromBase32(text.slice(MOMENT_CHARS)).subarray(0, MAC_BYTES);
  return sameBytes(given, mac(secret, channelId, momentId)) ? momentId : null;
}

/** The token in `reply+<token>@domain`, or null for any other address. */
export function replyTokenOf(address: string): { readonly token: string; readonly domain: string } | null {
  const match = /^reply\+([^@]+)@([^@]+)$/i.exec(address.trim());
  return match ? { token: match[1]!.toLowerCase(), domain: match[2]!.toLowerCase() } : null;
}

/** A fresh channel secret for signing reply tokens. */
export const newReplySecret = () => randomBytes(32).toString('base64url');

/** The domain part of an address, lower-case. */
export const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

function mac(secret: string, channelId: string, momentId: string): Buffer {
  return createHmac('sha256', secret).update(`${channelId}:${momentId}`).digest().subarray(0, MAC_BYTES);
}

function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

function fromBase32(text: string): Buffer {
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of text) {
    value = (value << 5) | ALPHABET.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}
