import { createHmac } from 'node:crypto';
import { sameBytes } from './same-bytes.ts';

/** How far a `webhook-timestamp` may be from now, either way (replay protection). */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

/** The three headers of a Standard Webhooks delivery. */
export type StandardWebhookHeaders = { readonly 'webhook-id': string; readonly 'webhook-timestamp': string; readonly 'webhook-signature': string };

/** Why a delivery was refused; `ok` carries the message id and the signed time (seconds). */
export type WebhookVerification = { readonly ok: true; readonly id: string; readonly timestamp: number } | { readonly ok: false; readonly reason: string };

const PREFIX = 'whsec_';

/** The HMAC key of a `whsec_…` secret: the base64 after the prefix (a secret without the prefix is taken as base64 too). */
function keyOf(secret: string): Buffer {
  const key = Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
  if (key.length === 0) throw new Error('a Standard Webhooks secret must be whsec_ followed by base64');
  return key;
}

function signatureOf(key: Buffer, id: string, timestamp: number, body: string | Buffer): string {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
}

/**
 * The `webhook-signature` value for a message: `v1,` + base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`
 * keyed by the base64-decoded secret. Sign the exact bytes that are sent.
 * @example signStandardWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')
 *   // 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='
 */
export function signStandardWebhook(secret: string, id: string, timestampSeconds: number, body: string | Buffer): string {
  return `v1,${signatureOf(keyOf(secret), id, timestampSeconds, body)}`;
}

/**
 * Headers for one delivery attempt: the id stays the same on every retry of a message (receivers
 * de-duplicate on it); the timestamp and so the signature are new each attempt.
 * @example fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...standardWebhookHeaders(secret, messageId, Date.now(), body) } })
 */
export function standardWebhookHeaders(secret: string, id: string, nowMs: number, body: string | Buffer): StandardWebhookHeaders {
  const timestamp = Math.floor(nowMs / 1000);
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signStandardWebhook(secret, id, timestamp, body) };
}

/**
 * Checks a delivery against the secret over the raw body bytes: all three headers present, a
 * whole-number timestamp within five minutes of now, and at least one `v1,` signature among the
 * space-separated ones that matches (compared in constant time). Never throws on bad input.
 * @example verifyStandardWebhook(secret, request.headers, rawBody, Date.now()).ok
 */
export function verifyStandardWebhook(secret: string, headers: Readonly<Record<string, string | readonly string[] | undefined>>, body: string | Buffer, nowMs: number): WebhookVerification {
  const id = single(headers['webhook-id']);
  const timestampText = single(headers['webhook-timestamp']);
  const signatures = single(headers['webhook-signature']);
  if (!id || !timestampText || !signatures) return { ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature header' };
  if (!/^\d{1,12}$/.test(timestampText)) return { ok: false, reason: 'webhook-timestamp is not a Unix time in seconds' };
  const timestamp = Number(timestampText);
  const now = Math.floor(nowMs / 1000);
  if (now - timestamp > WEBHOOK_TOLERANCE_SECONDS) return { ok: false, reason: 'webhook-timestamp is too old' };
  if (timestamp - now > WEBHOOK_TOLERANCE_SECONDS) return { ok: false, reason: 'webhook-timestamp is in the future' };
  let key: Buffer;
  try {
    key = keyOf(secret);
  } catch {
    return { ok: false, reason: 'the signing secret is not a whsec_ secret' };
  }
  const expected = Buffer.from(signatureOf(key, id, timestamp, body));
  for (const versioned of signatures.split(' ')) {
    const comma = versioned.indexOf(',');
    if (comma < 0 || versioned.slice(0, comma) !== 'v1') continue;
    const given = Buffer.from(versioned.slice(comma + 1));
    if (sameBytes(given, expected)) return { ok: true, id, timestamp };
  }
  return { ok: false, reason: 'no webhook-signature matches' };
}

function single(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value.trim() : undefined;
}
