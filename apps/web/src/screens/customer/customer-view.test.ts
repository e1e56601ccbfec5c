import { describe, expect, it } from 'vitest';
import type { TimelineItem } from '../../api/types.ts';
import { customerName, describeTouchpoint, identitiesByKind, moneyText, revenueLines, sumRevenue, timelineQuery } from './customer-view.ts';

const identity = (kind: string, value: string) => ({ kind, value, profileId: 'c1', addedAt: '2026-01-01T00:00:00.000Z' });
const item = (patch: Partial<TimelineItem>): TimelineItem => ({ id: 'e1', type: 'track', name: null, channel: 'email', timestamp: '2026-01-01T10:00:00.000Z', receivedAt: '2026-01-01T10:00:00.000Z', messageId: 'x', profileId: 'c1', userId: null, anonymousId: null, properties: {}, context: {}, ...patch });

describe('customer view', () => {
  it('names a customer by name, else email or phone', () => {
    expect(customerName({ traits: { name: ' Ann Lee ' }, identities: [] })).toBe('Ann Lee');
    expect(customerName({ traits: {}, identities: [identity('phone', '+1415'), identity('email', 'ann@example.com')] })).toBe('ann@example.com');
    expect(customerName({ traits: {}, identities: [] })).toBe('Unnamed customer');
  });

  it('groups identities by kind, emails and phones first', () => {
    const groups = identitiesByKind([identity('anonymous_id', 'x'), identity('phone', '+1'), identity('email', 'a@x'), identity('email', 'b@x')]);
    expect(groups.map((g) => [g.label, g.values.length])).toEqual([
      ['Email', 2],
      ['Phone', 1],
      ['Anonymous id', 1],
    ]);
  });

  it('turns filters into one server query each', () => {
    expect(timelineQuery('all')).toEqual({});
    expect(timelineQuery('calls')).toEqual({ channel: 'voice' });
    expect(timelineQuery('orders')).toEqual({ name: 'Order Completed' });
    // Chat covers the site's chat and the social inboxes.
    expect(timelineQuery('chat')).toEqual({ channel: 'chat,messenger,instagram' });
  });

  it('says what a touchpoint was, and links conversations to their moment', () => {
    expect(describeTouchpoint(item({ name: 'Message Received', properties: { momentId: 'm1', preview: 'Charged twice' } }))).toEqual({ title: 'Wrote in on Email', detail: 'Charged twice', momentId: 'm1' });
    expect(describeTouchpoint(item({ name: 'Moment Opened', channel: 'whatsapp', properties: { momentId: 'm2', subject: 'Parcel' } }))).toEqual({ title: 'Conversation opened on WhatsApp', detail: 'Parcel', momentId: 'm2' });
    // A subject made from the first message is not repeated above that message.
    expect(describeTouchpoint(item({ name: 'Moment Opened', channel: 'whatsapp', properties: { momentId: 'm3', subject: 'Where is it?', subjectFrom: 'message' } }))).toEqual({ title: 'Conversation opened on WhatsApp', detail: null, momentId: 'm3' });
    expect(describeTouchpoint(item({ name: 'Order Completed', properties: { orderId: '1042', total: 30, currency: 'eur' } })).detail).toBe(`1042 · ${moneyText(30, 'EUR')}`);
    expect(describeTouchpoint(item({ name: 'Order Completed', properties: { order_id: '1043', revenue: 12.5 } })).detail).toBe('1043 · total 12.5');
    expect(describeTouchpoint(item({ type: 'page', name: 'Pricing', channel: 'web', properties: { url: 'https://x/pricing' } }))).toEqual({ title: 'Viewed Pricing', detail: 'https://x/pricing', momentId: null });
  });

  it('shows money in its currency, with its minor unit once it has any', () => {
    expect(moneyText(89.5, 'USD', 'en-US')).toBe('$89.50');
    expect(moneyText(1234.567, 'USD', 'en-US')).toBe('$1,234.57');
    expect(moneyText(1200, 'USD', 'en-US')).toBe('$1,200');
    expect(moneyText(89.5, 'EUR', 'de-DE')).toBe('89,50\u00a0€');
    expect(moneyText(1200, 'JPY', 'en-US')).toBe('¥1,200');
    expect(moneyText(1.25, 'KWD', 'en-US')).toBe('KWD\u00a01.250');
  });

  it('shows revenue a line per currency, largest first, and never adds two currencies', () => {
    expect(revenueLines({ USD: 30, EUR: 120.5 }, 'en-US')).toEqual(['€120.50', '$30']);
    expect(revenueLines({}, 'en-US')).toEqual([]);
    expect(sumRevenue({ USD: 0.1, EUR: 5 }, { USD: 0.2, GBP: 7 })).toEqual({ USD: 0.3, EUR: 5, GBP: 7 });
    expect(sumRevenue({ USD: 10 }, { USD: -10 })).toEqual({});
  });
});
