import { describe, expect, it } from 'vitest';
import { signStandardWebhook, standardWebhookHeaders, verifyStandardWebhook, WEBHOOK_TOLERANCE_SECONDS } from './standard-webhooks.ts';

// The published test vector of the Standard Webhooks specification.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const TS = 1614265330;
const BODY = '{"test": 2432232314}';
const SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
const AT = TS * 1000;

const headers = (overrides: Record<string, string | undefined> = {}) => ({ 'webhook-id': ID, 'webhook-timestamp': String(TS), 'webhook-signature': SIGNATURE, ...overrides });

describe('Standard Webhooks signatures', () => {
  it('signs the published vector', () => {
    expect(signStandardWebhook(SECRET, ID, TS, BODY)).toBe(SIGNATURE);
    expect(signStandardWebhook(SECRET, ID, TS, Buffer.from(BODY))).toBe(SIGNATURE);
    expect(standardWebhookHeaders(SECRET, ID, AT + 999, BODY)).toEqual(headers());
  });

  it('accepts the published vector within the tolerance, from raw bytes', () => {
    expect(verifyStandardWebhook(SECRET, headers(), Buffer.from(BODY), AT)).toEqual({ ok: true, id: ID, timestamp: TS });
    expect(verifyStandardWebhook(SECRET, headers(), BODY, AT + WEBHOOK_TOLERANCE_SECONDS * 1000).ok).toBe(true);
    expect(verifyStandardWebhook(SECRET, headers(), BODY, AT - WEBHOOK_TOLERANCE_SECONDS * 1000).ok).toBe(true);
  });

  it('accepts several signatures of which one is valid', () => {
    const several = ['v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=', 'v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=', SIGNATURE, 'v1a,x'].join(' ');
    expect(verifyStandardWebhook(SECRET, headers({ 'webhook-signature': several }), BODY, AT).ok).toBe(true);
  });

  it.each([
    ['missing id', headers({ 'webhook-id': undefined }), BODY, AT, /missing/],
    ['missing timestamp', headers({ 'webhook-timestamp': undefined }), BODY, AT, /missing/],
    ['missing signature', headers({ 'webhook-signature': undefined }), BODY, AT, /missing/],
    ['non-numeric timestamp', headers({ 'webhook-timestamp': 'hello' }), BODY, AT, /Unix time/],
    ['timestamp with trailing text', headers({ 'webhook-timestamp': `${TS}abc` }), BODY, AT, /Unix time/],
    ['stale timestamp', headers(), BODY, AT + (WEBHOOK_TOLERANCE_SECONDS + 1) * 1000, /too old/],
    ['future timestamp', headers(), BODY, AT - (WEBHOOK_TOLERANCE_SECONDS + 1) * 1000, /future/],
    ['truncated signature', headers({ 'webhook-signature': SIGNATURE.slice(0, 8) }), BODY, AT, /no webhook-signature/],
    ['signature missing its last character', headers({ 'webhook-signature': SIGNATURE.slice(0, -1) }), BODY, AT, /no webhook-signature/],
    ['bare v1,', headers({ 'webhook-signature': 'v1,' }), BODY, AT, /no webhook-signature/],
    ['another version only', headers({ 'webhook-signature': SIGNATURE.replace('v1,', 'v2,') }), BODY, AT, /no webhook-signature/],
    ['tampered body', headers(), '{"test": 2432232315}', AT, /no webhook-signature/],
    ['re-serialised body', headers(), JSON.stringify(JSON.parse(BODY)), AT, /no webhook-signature/],
    ['another id', headers({ 'webhook-id': 'msg_other' }), BODY, AT, /no webhook-signature/],
  ])('rejects: %s', (_name, h, body, now, reason) => {
    const result = verifyStandardWebhook(SECRET, h, body, now);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  it('rejects a wrong secret, and a secret that is not whsec_ base64, without throwing', () => {
    expect(verifyStandardWebhook('whsec_' + Buffer.from('another secret').toString('base64'), headers(), BODY, AT).ok).toBe(false);
    expect(verifyStandardWebhook('whsec_', headers(), BODY, AT)).toEqual({ ok: false, reason: 'the signing secret is not a whsec_ secret' });
    expect(() => signStandardWebhook('whsec_', ID, TS, BODY)).toThrow(/whsec_/);
  });
});
