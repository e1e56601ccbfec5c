import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../workspaces/index.ts';
import { applyTouchpoint, foldInto, newState } from './profile-state.ts';
import { addRevenue, currencyCode, parseRevenue, roundToMinorUnit, sumRevenue } from './revenue.ts';
import type { Touchpoint } from './touchpoint.ts';

describe('revenue per currency', () => {
  it('adds an amount to its own currency only, rounded to that currency’s minor unit', () => {
    let revenue = addRevenue({}, 'EUR', 0.1);
    revenue = addRevenue(revenue, 'EUR', 0.2);
    revenue = addRevenue(revenue, 'JPY', 1200.4);
    revenue = addRevenue(revenue, 'KWD', 1.2345);
    expect(revenue).toEqual({ EUR: 0.3, JPY: 1200, KWD: 1.235 });
    expect(roundToMinorUnit(10.005, 'XTS')).toBe(10.01);
  });

  it('leaves out a currency whose orders and refunds cancel out, and never changes a sum in place', () => {
    const before = { USD: 10, EUR: 5 };
    expect(addRevenue(before, 'USD', -10)).toEqual({ EUR: 5 });
    expect(before).toEqual({ USD: 10, EUR: 5 });
    expect(sumRevenue({ USD: 10 }, { USD: 2.5, GBP: 7 })).toEqual({ USD: 12.5, GBP: 7 });
  });

  it('reads currency codes in any case, and nothing else as one', () => {
    expect(currencyCode('eur')).toBe('EUR');
    expect(['euro', '€', 'US', 978, null, undefined].map(currencyCode)).toEqual([null, null, null, null, null, null]);
  });

  it('reads a stored sum back, and anything unreadable as none', () => {
    expect(parseRevenue('{"EUR":120.5,"GBP":30}')).toEqual({ EUR: 120.5, GBP: 30 });
    expect(parseRevenue('{"eur":1,"EURO":2,"USD":"3"}')).toEqual({ EUR: 1 });
    expect(['{}', '0', 'null', '[1]', 'not json', ''].map(parseRevenue)).toEqual([{}, {}, {}, {}, {}, {}]);
  });
});

describe('a profile’s revenue', () => {
  const order = (amount: number, currency?: string, name = 'Order Completed'): Touchpoint => ({
    messageId: `m-${Math.random()}`, type: 'track', name, channel: 'web', userId: 'u1', anonymousId: null, previousId: null, traits: {},
    properties: { revenue: amount, ...(currency ? { currency } : {}) }, context: {}, timestamp: 1, receivedAt: 1,
  });

  it('sums orders and refunds per currency, in the workspace’s currency when an order names none', () => {
    const s = newState('c1', 1, 1);
    const settings = { ...DEFAULT_SETTINGS, defaultCurrency: 'GBP' };
    for (const tp of [order(40, 'EUR'), order(19.99), order(5, 'usd'), order(10, 'EUR', 'Order Refunded')]) applyTouchpoint(s, tp, true, settings);
    expect(s.revenue).toEqual({ EUR: 30, GBP: 19.99, USD: 5 });
    expect(s.orderCount).toBe(3);
  });

  it('keeps each currency apart when two profiles merge', () => {
    const survivor = newState('a', 1, 1);
    const absorbed = newState('b', 2, 2);
    applyTouchpoint(survivor, order(10, 'EUR'), true, DEFAULT_SETTINGS);
    applyTouchpoint(absorbed, order(7, 'EUR'), true, DEFAULT_SETTINGS);
    applyTouchpoint(absorbed, order(3), true, DEFAULT_SETTINGS);
    foldInto(survivor, absorbed);
    expect(survivor.revenue).toEqual({ EUR: 17, USD: 3 });
  });
});
