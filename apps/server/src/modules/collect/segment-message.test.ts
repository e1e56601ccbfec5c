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
