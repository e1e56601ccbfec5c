import { describe, expect, it } from 'vitest';
import type { TimelineItem } from '../../api/types.ts';
import { aProfile } from '../../test/customer-fixture.ts';
import { customerName, describeTouchpoint, identitiesByKind, moneyText, revenueLines, sumRevenue, timelineQuery } from './customer-view.ts';

const identity = (kind: string, value: string) => ({ kind, value, profileId: 'c1', addedAt: '2026-01-01T00:00:00.000Z' });
const item = (patch: Partial<TimelineItem>): TimelineItem => ({ id: 'e1', type: 'track', name: null, channel: 'email', timestamp: '2026-01-01T10:00:00.000Z', receivedAt: '2026-01-01T10:00:00.000Z', messageId: 'x', profileId: 'c1', userId: null, anonymousId: null, properties: {}, context: {}, ...patch });

describe('customer view', () => {
  it('names a customer by name, else their latest email, else phone, else user id', () => {
    expect(customerName(aProfile())).toBe('Ann Lee');
    expect(customerName(aProfile({ name: null }))).toBe('ann.lee@work.example');
    expect(customerName(aProfile({ name: null, identities: [identity('user_id', 'u-7'), identity('phone', '+1415')] }))).toBe('+1415');
    expect(customerName(aProfile({ name: null, identities: [identity('user_id', 'u-7')] }))).toBe('u-7');
    expect(customerName(aProfile({ name: null, identities: [] }))).toBe('Unnamed customer');
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
    expect(describeTouchpoint(item({ name: 'Order Completed', properties: { order_id: '1043', revenue: 12.5 } })).detail).toBe(`1043 · ${(12.5).toLocaleString()}`);
  });

  it('says what each e-commerce, email, call, store and survey event was, with its figures', () => {
    const line = (name: string, properties: Record<string, unknown>) => {
      const { title, detail } = describeTouchpoint(item({ name, properties }));
      return `${title}: ${detail}`;
    };
    const eur = (n: number) => moneyText(n, 'EUR');
    expect(line('Order Refunded', { order_id: 'ord_7', total: 30, currency: 'EUR', reason: 'wrong_size' })).toBe(`Order refunded: ord_7 · ${eur(30)} · wrong_size`);
    expect(line('Checkout Started', { order_id: 'ord_7', revenue: 30, currency: 'EUR' })).toBe(`Started checkout: ord_7 · ${eur(30)}`);
    expect(line('Product Viewed', { name: 'Trailblazer Hiking Boot', price: 137.99, currency: 'EUR' })).toBe(`Viewed a product: Trailblazer Hiking Boot · ${eur(137.99)}`);
    expect(line('Product Added', { name: 'Wool Socks', price: 12, currency: 'EUR', quantity: 2 })).toBe(`Added to cart: Wool Socks · × 2 · ${eur(12)}`);
    expect(line('Signed Up', { method: 'google', plan: 'pro' })).toBe('Signed up: with google · pro plan');
    expect(line('Email Opened', { campaign_name: 'Autumn sale', subject: '20% off boots' })).toBe('Opened an email: 20% off boots');
    expect(line('Email Link Clicked', { campaign_name: 'Autumn sale' })).toBe('Clicked a link in an email: Autumn sale');
    expect(line('Call Completed', { reason: 'Order status', duration_seconds: 754, outcome: 'resolved_first_contact' })).toBe('Call: Order status · 12m · resolved first contact');
    expect(line('Store Visit', { store_name: 'Northwind Outdoor Berlin', duration_minutes: 25 })).toBe('Visited a store: Northwind Outdoor Berlin · 25 min');
    expect(line('Survey Responded', { survey: 'nps', score: 4, comment: 'Late again' })).toBe('Answered a survey: NPS 4 · “Late again”');
    expect(line('Signed Up', {})).toBe('Signed up: null');
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
