import { describe, expect, it } from 'vitest';
import { domainOf, makeReplyToken, newReplySecret, readReplyToken, replyTokenOf } from './reply-token.ts';

const momentId = '0192f5c8-7b1e-7c3a-9f41-2d7e8a1b3c4d';
const channelId = '0192f5c8-0000-7000-8000-000000000001';

describe('reply tokens', () => {
  it('round-trips the moment id under the channel secret, case-insensitively, within 64 characters', () => {
    const secret = newReplySecret();
    const token = makeReplyToken(secret, channelId, momentId)!;
    expect(token).toMatch(/^[a-z2-7]{42}$/);
    expect(`reply+${token}`.length).toBeLessThanOrEqual(64);
    expect(readReplyToken(secret, channelId, token)).toBe(momentId);
    expect(readReplyToken(secret, channelId, token.toUpperCase())).toBe(momentId);
  });

  it('refuses forged, altered, foreign and malformed tokens', () => {
    const secret = newReplySecret();
    const token = makeReplyToken(secret, channelId, momentId)!;
    expect(readReplyToken(newReplySecret(), channelId, token)).toBeNull(); // another channel's secret
    expect(readReplyToken(secret, '0192f5c8-0000-7000-8000-000000000002', token)).toBeNull(); // another channel
    const otherMoment = makeReplyToken(secret, channelId, '0192f5c8-7b1e-7c3a-9f41-2d7e8a1b3c4e')!;
    expect(readReplyToken(secret, channelId, otherMoment.slice(0, 26) + token.slice(26))).toBeNull(); // moment swapped
    const flipped = token.slice(0, 30) + (token[30] === 'a' ? 'b' : 'a') + token.slice(31);
    expect(readReplyToken(secret, channelId, flipped)).toBeNull(); // mac altered
    for (const bad of ['', 'abc', token.slice(0, 41), `${token}a`, token.replace(/./, '1'), token.replace(/./, '!')]) expect(readReplyToken(secret, channelId, bad)).toBeNull();
    expect(makeReplyToken(secret, channelId, 'not-a-uuid')).toBeNull();
  });

  it('finds the token in a reply address only', () => {
    expect(replyTokenOf('Reply+AbC@Acme.TEST')).toEqual({ token: 'abc', domain: 'acme.test' });
    expect(replyTokenOf('support@acme.test')).toBeNull();
    expect(replyTokenOf('reply@acme.test')).toBeNull();
    expect(domainOf('Support@Acme.Test')).toBe('acme.test');
  });
});
