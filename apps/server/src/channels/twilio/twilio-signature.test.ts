import { describe, expect, it } from 'vitest';
import { parseTwilioForm } from './twilio-form.ts';
import { twilioSignature, verifyTwilioSignature } from './twilio-signature.ts';

// Twilio's published example ("Validating requests" in its security docs).
const TOKEN = '12345';
const URL = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const PARAMS = { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' };
const SIGNATURE = '0/KCTR6DLpKmkAf8muzZqo1nDgQ=';

describe('X-Twilio-Signature', () => {
  it('reproduces the published vector', () => {
    expect(twilioSignature(TOKEN, URL, PARAMS)).toBe(SIGNATURE);
    expect(verifyTwilioSignature(TOKEN, URL, PARAMS, SIGNATURE)).toBe(true);
  });

  it('reproduces it from the form body as Twilio posts it, in any parameter order', () => {
    const body = 'To=%2B18005551212&From=%2B12349013030&Digits=1234&Caller=%2B12349013030&CallSid=CA1234567890ABCDE';
    expect(verifyTwilioSignature(TOKEN, URL, parseTwilioForm(Buffer.from(body)), SIGNATURE)).toBe(true);
  });

  it('accepts the URL signed with or without the default port', () => {
    const withPort = twilioSignature(TOKEN, 'https://mycompany.com:443/myapp.php?foo=1&bar=2', PARAMS);
    expect(verifyTwilioSignature(TOKEN, URL, PARAMS, withPort)).toBe(true);
    expect(verifyTwilioSignature(TOKEN, 'https://mycompany.com:443/myapp.php?foo=1&bar=2', PARAMS, SIGNATURE)).toBe(true);
  });

  it.each([
    ['a wrong token', '54321', URL, PARAMS, SIGNATURE],
    ['an altered parameter', TOKEN, URL, { ...PARAMS, Digits: '1235' }, SIGNATURE],
    ['an added parameter', TOKEN, URL, { ...PARAMS, Body: 'hi' }, SIGNATURE],
    ['a removed parameter', TOKEN, URL, { ...PARAMS, Digits: undefined }, SIGNATURE],
    ['another URL', TOKEN, 'https://mycompany.com/myapp.php?foo=1&bar=3', PARAMS, SIGNATURE],
    ['http instead of https', TOKEN, 'http://mycompany.com/myapp.php?foo=1&bar=2', PARAMS, SIGNATURE],
    ['a missing header', TOKEN, URL, PARAMS, undefined],
    ['an empty header', TOKEN, URL, PARAMS, ''],
    ['a truncated signature', TOKEN, URL, PARAMS, SIGNATURE.slice(0, -2)],
    ['an empty auth token', '', URL, PARAMS, SIGNATURE],
  ])('rejects %s', (_name, token, url, params, header) => {
    const defined = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as Record<string, string>;
    expect(verifyTwilioSignature(token, url, defined, header)).toBe(false);
  });

  it('signs every value of a repeated parameter, sorted', () => {
    const params = parseTwilioForm('A=2&A=1&B=x');
    expect(params).toEqual({ A: ['2', '1'], B: 'x' });
    expect(twilioSignature(TOKEN, URL, params)).toBe(twilioSignature(TOKEN, URL, { A: ['1', '2'], B: 'x' }));
    expect(twilioSignature(TOKEN, URL, params)).not.toBe(twilioSignature(TOKEN, URL, { A: '1', B: 'x' }));
  });
});
