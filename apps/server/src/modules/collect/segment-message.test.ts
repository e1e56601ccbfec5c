import { describe, expect, it } from 'vitest';
import { parseSegmentMessage } from './segment-message.ts';

const now = Date.parse('2026-11-26T12:00:00Z');

describe('parseSegmentMessage', () => {
  it('corrects client clock skew by receivedAt − sentAt', () => {
    // The phone's clock runs an hour fast: it says it sent at 13:00, we got it at 12:00.
    const result = parseSegmentMessage(
      { userId: 'u', event: 'Opened', timestamp: '2026-11-26T12:59:00Z', sentAt: '2026-11-26T13:00:00Z' },
      'track',
      now,
    );
    expect(result.ok && new Date(result.touchpoint.timestamp).toISOString()).toBe('2026-11-26T11:59:00.000Z');
  });

  it('takes a batch-level sentAt and context for every item', () => {
    const result = parseSegmentMessage(
      { type: 'page', anonymousId: 'a', name: 'Home', originalTimestamp: '2026-11-26T11:00:00Z' },
      null,
      now,
      'batch[0].',
      { sentAt: '2026-11-26T12:00:00Z', context: { channel: 'browser', locale: 'pt-BR' } },
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.touchpoint.timestamp).toBe(Date.parse('2026-11-26T11:00:00Z'));
    expect(result.touchpoint.channel).toBe('web');
    expect(result.touchpoint.context.locale).toBe('pt-BR');
  });

  it('names the field of every problem, with the batch path', () => {
    const problem = (raw: unknown, type: 'track' | null = null) => {
      const r = parseSegmentMessage(raw, type, now, type ? '' : 'batch[2].');
      return r.ok ? null : r.problem;
    };
    expect(problem({ type: 'track', userId: 'u' })).toMatchObject({ field: 'batch[2].event', code: 'missing_field' });
    expect(problem({ type: 'shout', userId: 'u' })).toMatchObject({ field: 'batch[2].type' });
    expect(problem({ event: 'x' }, 'track')).toMatchObject({ field: 'userId', code: 'missing_field' });
    expect(problem({ event: 'x', userId: 'u', properties: [1] }, 'track')).toMatchObject({ field: 'properties' });
    expect(problem({ event: 'x', userId: 'u', timestamp: 'yesterday' }, 'track')).toMatchObject({ field: 'timestamp' });
    expect(problem({ event: 'x', userId: { id: 1 } }, 'track')).toMatchObject({ field: 'userId' });
    expect(problem({ type: 'alias', userId: 'u' })).toMatchObject({ field: 'batch[2].previousId' });
    expect(problem({ type: 'group', userId: 'u' })).toMatchObject({ field: 'batch[2].groupId' });
  });

  it('takes event times from 1900 to a day ahead, after the clock correction, and only dates that exist', () => {
    const at = (fields: Record<string, unknown>) => {
      const r = parseSegmentMessage({ userId: 'u', event: 'x', ...fields }, 'track', now);
      return r.ok ? new Date(r.touchpoint.timestamp).toISOString() : r.problem.field;
    };
    expect(at({ timestamp: '1999-12-31T23:00:00Z' })).toBe('1999-12-31T23:00:00.000Z');
    expect(at({ timestamp: new Date(now + 3_600_000).toISOString() })).toBe(new Date(now + 3_600_000).toISOString());
    expect(at({ timestamp: '9999-12-31T23:59:59Z' })).toBe('timestamp');
    expect(at({ timestamp: '1899-12-31T23:59:59Z' })).toBe('timestamp');
    expect(at({ originalTimestamp: '1066-10-14T09:00:00Z' })).toBe('originalTimestamp');
    // A sender whose clock is 2020 when it sends a 2020 event is corrected; one claiming to send in 9999 moves it before 1900.
    expect(at({ timestamp: '2020-01-01T00:00:00Z', sentAt: '9999-01-01T00:00:00Z' })).toBe('sentAt');
    expect(at({ timestamp: '2020-02-30T10:00:00Z' })).toBe('timestamp');
    expect(at({ timestamp: '2020-02-29T10:00:00Z' })).toBe('2020-02-29T10:00:00.000Z');
    expect(at({ timestamp: '2021-02-29T10:00:00Z' })).toBe('timestamp');
  });

  it('refuses calls whose only ids are placeholders, but keeps a real anonymousId', () => {
    expect(parseSegmentMessage({ userId: 'null', event: 'x' }, 'track', now).ok).toBe(false);
    expect(parseSegmentMessage({ userId: '0', anonymousId: 'device-1', event: 'x' }, 'track', now).ok).toBe(true);
  });

  it('keeps group traits off the person and identify traits on it', () => {
    const group = parseSegmentMessage({ userId: 'u', groupId: 'acme', traits: { name: 'Acme Inc' } }, 'group', now);
    expect(group.ok && group.touchpoint.traits).toEqual({});
    const identify = parseSegmentMessage({ userId: 'u', traits: { name: 'Ann' }, context: { traits: { plan: 'pro' } } }, 'identify', now);
    expect(identify.ok && identify.touchpoint.traits).toEqual({ plan: 'pro', name: 'Ann' });
  });
});
