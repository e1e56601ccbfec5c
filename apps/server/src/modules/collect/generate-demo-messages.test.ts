import { describe, expect, it } from 'vitest';
import { DEMO_BUSINESS_UNITS, generateDemoMessages, type DemoMessage, type DemoOptions } from './generate-demo-messages.ts';

const NOW = new Date('2025-06-30T12:00:00.000Z');
const OPTIONS: DemoOptions = { customers: 3000, months: 12, seed: 42, now: NOW };
const START = Date.parse('2024-06-30T12:00:00.000Z');

function take(options: DemoOptions, count: number): DemoMessage[] {
  const out: DemoMessage[] = [];
  for (const message of generateDemoMessages(options)) {
    out.push(message);
    if (out.length === count) break;
  }
  return out;
}

// Generated once and shared: the assertions below only read it.
let cached: DemoMessage[] | undefined;
const all = (): DemoMessage[] => (cached ??= [...generateDemoMessages(OPTIONS)]);

/** Union-find over anonymousId/userId links: one component per synthetic person. */
function people(messages: readonly DemoMessage[]): Map<string, DemoMessage[]> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root) ?? root;
    parent.set(x, root);
    return root;
  };
  const add = (x: string) => {
    if (!parent.has(x)) parent.set(x, x);
  };
  for (const m of messages) {
    const keys = [m.anonymousId && `a:${m.anonymousId}`, m.userId && `u:${m.userId}`].filter((k): k is string => !!k);
    keys.forEach(add);
    if (keys.length === 2) parent.set(find(keys[0]), find(keys[1]));
  }
  const groups = new Map<string, DemoMessage[]>();
  for (const m of messages) {
    const root = find(m.userId ? `u:${m.userId}` : `a:${m.anonymousId}`);
    const list = groups.get(root) ?? [];
    list.push(m);
    groups.set(root, list);
  }
  return groups;
}

describe('generateDemoMessages', () => {
  // Timing belongs in bench/, not in a test that a busy machine could fail.
  it('makes a realistic volume for 3000 customers over 12 months', () => {
    let count = 0;
    for (const _ of generateDemoMessages(OPTIONS)) count++;
    expect(count).toBeGreaterThan(30_000);
    expect(count).toBeLessThan(200_000);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const a = take(OPTIONS, 500);
    expect(a).toHaveLength(500);
    expect(take(OPTIONS, 500)).toEqual(a);
    expect(take({ ...OPTIONS, seed: 7 }, 500)).not.toEqual(a);
  });

  it('yields messages in ascending timestamp order, all within the window', () => {
    const times = all().map((m) => Date.parse(m.timestamp));
    expect(all().filter((m, i) => new Date(times[i]).toISOString() !== m.timestamp)).toEqual([]);
    expect(all().filter((_, i) => i > 0 && times[i] < times[i - 1])).toEqual([]);
    expect(times[0]).toBeGreaterThanOrEqual(START);
    expect(times[times.length - 1]).toBeLessThanOrEqual(NOW.getTime());
  });

  it('gives every message an identity, a unique messageId, a channel and a small size', () => {
    const ids = new Set<string>();
    const channels = new Set(['web', 'app', 'email', 'phone', 'store']);
    const units = new Set(DEMO_BUSINESS_UNITS.map((u) => u.key));
    // Collect offenders instead of asserting per message: ~75k expect() calls are slow.
    const invalid = all().filter((m) => {
      ids.add(m.messageId);
      const page = m.properties ?? {};
      return (
        !(m.userId ?? m.anonymousId) ||
        !channels.has(String(m.context?.channel)) ||
        !units.has(String(m.context?.businessUnit)) ||
        JSON.stringify(m).length >= 2048 ||
        (m.type === 'track' && !m.event) ||
        (m.type === 'page' && !(m.name && typeof page.path === 'string' && typeof page.url === 'string' && typeof page.title === 'string')) ||
        (m.type === 'identify' && !/^u_\d+$/.test(m.userId ?? ''))
      );
    });
    expect(invalid).toEqual([]);
    expect(ids.size).toBe(all().length);
  });

  it('produces one identity cluster per customer, with some ~20% going quiet early', () => {
    const groups = people(all());
    expect(groups.size).toBe(OPTIONS.customers);
    const quietSince = NOW.getTime() - 150 * 86_400_000;
    const quiet = [...groups.values()].filter((list) => Math.max(...list.map((m) => Date.parse(m.timestamp))) < quietSince);
    expect(quiet.length / groups.size).toBeGreaterThan(0.1);
    expect(quiet.length / groups.size).toBeLessThan(0.45);
  });

  it('only attaches userId after the device has identified, and merges second devices', () => {
    const identified = new Set<string>();
    const anonIdsByUser = new Map<string, Set<string>>();
    const early: DemoMessage[] = [];
    for (const m of all()) {
      if (!m.userId || !m.anonymousId) continue;
      if (m.type === 'identify') identified.add(m.anonymousId);
      // The first userId-bearing message from any device is its identify call.
      if (!identified.has(m.anonymousId)) early.push(m);
      const set = anonIdsByUser.get(m.userId) ?? new Set<string>();
      set.add(m.anonymousId);
      anonIdsByUser.set(m.userId, set);
    }
    expect(early).toEqual([]);
    const signedUp = anonIdsByUser.size / OPTIONS.customers;
    expect(signedUp).toBeGreaterThan(0.4);
    expect(signedUp).toBeLessThan(0.65);
    const multiDevice = [...anonIdsByUser.values()].filter((s) => s.size > 1).length;
    expect(multiDevice).toBeGreaterThan(50);
  });

  it('emits realistic identify traits', () => {
    const identifies = all().filter((m) => m.type === 'identify');
    const invalid = identifies.filter((m) => {
      const t = m.traits ?? {};
      return (
        !/^[a-z0-9._]+@[a-z.]+$/.test(String(t.email)) ||
        t.name !== `${String(t.firstName)} ${String(t.lastName)}` ||
        !t.city ||
        !t.country ||
        (t.phone !== undefined && !/^\+(1\d{10}|447\d{9}|55\d{11}|49\d{11})$/.test(String(t.phone)))
      );
    });
    expect(invalid).toEqual([]);
    // Emails and phones are identity keys: distinct users must not share them.
    const emailOwners = new Map<string, string>();
    for (const m of identifies) emailOwners.set(String(m.traits?.email), String(m.userId));
    expect(emailOwners.size).toBe(new Set(identifies.map((m) => m.userId)).size);
    const withPhone = new Set(identifies.filter((m) => m.traits?.phone).map((m) => m.userId)).size;
    const users = new Set(identifies.map((m) => m.userId)).size;
    expect(withPhone / users).toBeGreaterThan(0.5);
    expect(withPhone / users).toBeLessThan(0.7);
  });

  it('covers orders, refunds, emails, calls, store visits and NPS across both business units', () => {
    const byEvent = new Map<string, DemoMessage[]>();
    for (const m of all()) {
      if (!m.event) continue;
      const list = byEvent.get(m.event) ?? [];
      list.push(m);
      byEvent.set(m.event, list);
    }
    for (const event of ['Signed Up', 'Product Viewed', 'Product Added', 'Checkout Started', 'Order Completed', 'Order Refunded', 'Email Sent', 'Email Opened', 'Email Link Clicked', 'Call Completed', 'Store Visit', 'Survey Responded']) {
      expect(byEvent.get(event)?.length ?? 0, event).toBeGreaterThan(0);
    }
    const orders = byEvent.get('Order Completed') ?? [];
    expect(orders.some((m) => Number(m.properties?.revenue) > 0)).toBe(true);
    for (const m of orders) {
      expect(m.userId).toBeTruthy();
      expect(m.properties).toMatchObject({ order_id: expect.any(String), currency: expect.stringMatching(/^(USD|GBP|EUR|BRL)$/), products: expect.any(Array) });
    }
    // Shops charge in the buyer's currency: the demo's profiles show revenue in several.
    expect(new Set(orders.map((m) => m.properties?.currency))).toEqual(new Set(['USD', 'GBP', 'EUR', 'BRL']));
    for (const m of byEvent.get('Order Refunded') ?? []) {
      const order = orders.find((o) => o.properties?.order_id === m.properties?.order_id);
      expect(m.properties?.currency).toBe(order?.properties?.currency);
    }
    expect(new Set(orders.map((m) => m.context?.businessUnit))).toEqual(new Set(DEMO_BUSINESS_UNITS.map((u) => u.key)));
    for (const m of byEvent.get('Email Sent') ?? []) expect(m.context?.channel).toBe('email');
    for (const m of byEvent.get('Call Completed') ?? []) expect(m.context?.channel).toBe('phone');
    for (const m of byEvent.get('Store Visit') ?? []) expect(m.context?.channel).toBe('store');
    for (const m of byEvent.get('Survey Responded') ?? []) expect(m.properties?.score).toSatisfy((s: unknown) => typeof s === 'number' && s >= 0 && s <= 10);
  });

  it('handles small and empty runs and rejects bad options', () => {
    expect([...generateDemoMessages({ ...OPTIONS, customers: 0 })]).toEqual([]);
    const one = [...generateDemoMessages({ customers: 1, months: 1, seed: 1, now: NOW })];
    expect(one.length).toBeGreaterThan(0);
    expect(() => generateDemoMessages({ ...OPTIONS, customers: -1 })).toThrow(RangeError);
    expect(() => generateDemoMessages({ ...OPTIONS, months: 0 })).toThrow(RangeError);
    expect(() => generateDemoMessages({ ...OPTIONS, now: new Date('nope') })).toThrow(RangeError);
  });
});
