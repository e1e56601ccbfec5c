import { seededRandom } from '../apps/server/src/platform/seeded-random.ts';
import { randomUUID } from 'node:crypto';
import { uuidv7 } from '../apps/server/src/platform/ids.ts';
import type { EventTable } from '../apps/server/src/platform/db/tables.ts';

/**
 * Realistic tracking traffic, deterministic from a seed so every run sends the same mix:
 * Segment-spec track calls of 1–2 KB (properties, a full analytics.js-style context) from a
 * pool of people who each keep one userId and one anonymousId.
 */

export { seededRandom };

export type Person = { readonly userId: string; readonly anonymousId: string };

const hex = (random: () => number, n: number) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');

/** `count` people, each with a stable userId and anonymousId (a browser cookie id). */
export function makePeople(count: number, seed = 1): Person[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => ({
    userId: `usr_${String(i).padStart(6, '0')}_${hex(random, 6)}`,
    anonymousId: `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-a${hex(random, 3)}-${hex(random, 12)}`,
  }));
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)];

const PRODUCTS = [
  { sku: 'TP-TEE-001', name: 'Organic Cotton Tee', category: 'Apparel/Tops', brand: 'Northwind', price: 24.0 },
  { sku: 'TP-HOOD-014', name: 'Midweight Zip Hoodie', category: 'Apparel/Outerwear', brand: 'Northwind', price: 69.0 },
  { sku: 'TP-BOT-220', name: 'Insulated Steel Bottle 750 ml', category: 'Outdoor/Hydration', brand: 'Summit', price: 32.5 },
  { sku: 'TP-PACK-031', name: 'Daypack 22 L', category: 'Outdoor/Bags', brand: 'Summit', price: 89.0 },
  { sku: 'TP-SOCK-007', name: 'Merino Hiking Socks (2 pairs)', category: 'Apparel/Socks', brand: 'Fjellgarn', price: 19.9 },
  { sku: 'TP-LAMP-402', name: 'Rechargeable Head Torch', category: 'Outdoor/Lighting', brand: 'Lumen', price: 44.0 },
];
const EVENTS = ['Product Viewed', 'Product Viewed', 'Product Viewed', 'Product Added', 'Product List Viewed', 'Checkout Started', 'Order Completed', 'Coupon Applied', 'Products Searched', 'Signed In'] as const;
const AGENTS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
];
const CAMPAIGNS = [
  { name: 'spring_sale_2026', source: 'newsletter', medium: 'email', term: 'hiking gear', content: 'hero_banner' },
  { name: 'brand_search', source: 'google', medium: 'cpc', term: 'northwind hoodie', content: 'ad_group_7' },
  { name: 'retargeting_q2', source: 'facebook', medium: 'paid_social', term: '', content: 'carousel_3' },
];

function properties(random: () => number, event: string): Record<string, unknown> {
  const product = pick(random, PRODUCTS);
  const base = { product_id: `${product.sku}-${Math.floor(random() * 9000 + 1000)}`, sku: product.sku, name: product.name, category: product.category, brand: product.brand, currency: 'EUR' };
  switch (event) {
    case 'Order Completed': {
      const items = Array.from({ length: 1 + Math.floor(random() * 3) }, () => {
        const p = pick(random, PRODUCTS);
        return { product_id: p.sku, sku: p.sku, name: p.name, category: p.category, price: p.price, quantity: 1 + Math.floor(random() * 2) };
      });
      const subtotal = items.reduce((sum, p) => sum + p.price * p.quantity, 0);
      return { order_id: `ord_${hex(random, 10)}`, affiliation: 'Online Store', subtotal, shipping: 4.9, tax: Math.round(subtotal * 0.19 * 100) / 100, revenue: subtotal, total: subtotal + 4.9, currency: 'EUR', products: items };
    }
    case 'Products Searched':
      return { query: pick(random, ['rain jacket', 'merino socks', 'bottle', 'head torch', 'daypack 30l']), results: Math.floor(random() * 80) };
    case 'Signed In':
      return { method: pick(random, ['password', 'google', 'magic_link']), remember_me: random() > 0.5 };
    case 'Coupon Applied':
      return { coupon_id: 'SPRING15', coupon_name: 'Spring 15% off', discount: 15, cart_id: `cart_${hex(random, 8)}` };
    default:
      return { ...base, variant: pick(random, ['S', 'M', 'L', 'XL', 'one size']), price: product.price, quantity: 1, position: Math.floor(random() * 24) + 1, url: `https://shop.example.com/p/${product.sku.toLowerCase()}`, image_url: `https://cdn.example.com/img/${product.sku.toLowerCase()}.jpg` };
  }
}

function context(random: () => number): Record<string, unknown> {
  const product = pick(random, PRODUCTS);
  const campaign = pick(random, CAMPAIGNS);
  const path = `/p/${product.sku.toLowerCase()}`;
  return {
    library: { name: 'analytics.js', version: 'next-1.70.0' },
    ip: `${Math.floor(random() * 223) + 1}.${Math.floor(random() * 255)}.${Math.floor(random() * 255)}.${Math.floor(random() * 254) + 1}`,
    locale: pick(random, ['en-GB', 'de-DE', 'fr-FR', 'nl-NL', 'en-US']),
    timezone: pick(random, ['Europe/Berlin', 'Europe/London', 'Europe/Paris', 'America/New_York']),
    userAgent: pick(random, AGENTS),
    page: { path, referrer: 'https://www.google.com/', search: `?utm_source=${campaign.source}&utm_medium=${campaign.medium}`, title: `${product.name} | Northwind Outfitters`, url: `https://shop.example.com${path}?utm_source=${campaign.source}&utm_medium=${campaign.medium}` },
    campaign,
    screen: { width: pick(random, [1440, 1920, 390, 1280]), height: pick(random, [900, 1080, 844, 800]), density: pick(random, [1, 2, 3]) },
    userAgentData: { brands: [{ brand: 'Chromium', version: '124' }, { brand: 'Google Chrome', version: '124' }, { brand: 'Not-A.Brand', version: '99' }], mobile: false, platform: pick(random, ['macOS', 'Windows', 'Linux']) },
    instance_id: `${hex(random, 8)}-${hex(random, 4)}-${hex(random, 4)}-${hex(random, 4)}-${hex(random, 12)}`,
  };
}

/** A track call without messageId and timestamp: those are set when it is sent. */
export type TrackCall = {
  readonly type: 'track';
  readonly event: string;
  readonly userId: string;
  readonly anonymousId: string;
  readonly properties: Record<string, unknown>;
  readonly context: Record<string, unknown>;
};

/** `count` track calls from `people`. */
export function makeTrackCalls(count: number, people: readonly Person[], seed = 2): TrackCall[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const person = pick(random, people);
    const event = pick(random, EVENTS);
    return { type: 'track', event, userId: person.userId, anonymousId: person.anonymousId, properties: properties(random, event), context: context(random) };
  });
}

/**
 * Serialises calls once; `render(i)` then adds a new messageId and the current time (live
 * traffic: events arrive as they happen) by string concatenation, cheap enough for the load
 * generator to make every request a new message.
 */
export function callTemplates(calls: readonly TrackCall[]): { readonly render: (index: number) => string } {
  const tails = calls.map((call) => JSON.stringify(call).slice(1));
  return { render: (index) => `{"messageId":"${newMessageId()}","timestamp":"${new Date().toISOString()}",${tails[index % tails.length]}` };
}

/** A new messageId as @segment/analytics-node makes them (`node-next-<ms>-<uuid>`). */
export function newMessageId(): string {
  return `node-next-${Date.now()}-${randomUUID()}`;
}

/**
 * The event row the server would store for a call, for the raw-insert baselines: same
 * columns, same JSON text, same id scheme (UUIDv7), one customer per person.
 */
export function eventRow(workspaceId: string, call: TrackCall, customerId: string, messageId: string, at: number): EventTable {
  return {
    workspace_id: workspaceId,
    id: uuidv7(),
    customer_id: customerId,
    profile_id: customerId,
    message_id: messageId,
    type: 'track',
    name: call.event,
    channel: 'server',
    anonymous_id: call.anonymousId,
    user_id: call.userId,
    properties: JSON.stringify(call.properties),
    context: JSON.stringify(call.context),
    timestamp: at,
    received_at: at,
  };
}

/** The event table's columns in a fixed order, for prepared INSERTs and COPY. */
export const EVENT_COLUMNS = ['workspace_id', 'id', 'customer_id', 'profile_id', 'message_id', 'type', 'name', 'channel', 'anonymous_id', 'user_id', 'properties', 'context', 'timestamp', 'received_at'] as const satisfies readonly (keyof EventTable)[];
