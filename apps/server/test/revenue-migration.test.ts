import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { ENGINES, useTestDatabase } from './harness.ts';

/**
 * Migration 0000 of 2026-11-28 turns each profile's one revenue number into sums per currency,
 * summed again from its events: a store whose customers paid in several currencies must come
 * out with each currency apart, as ingest now counts them.
 */
describe.each(ENGINES)('revenue per currency on %s', (engine) => {
  const database = useTestDatabase(engine, '2026-11-27T0100-moment-tags');

  const workspace = (id: string, settings: object) =>
    sql`insert into workspace (id, name, settings, created_at) values (${id}, ${id}, ${JSON.stringify(settings)}, 1)`.execute(database().db);
  const customer = (workspaceId: string, id: string, orders: number, revenue: number, mergedInto: string | null = null) =>
    sql`insert into customer (workspace_id, id, root_id, merged_into, traits, stage, first_seen, last_seen, order_count, revenue, identified, advocate, created_at, updated_at)
        values (${workspaceId}, ${id}, ${mergedInto ?? id}, ${mergedInto}, '{}', 'customer', 1, 1, ${orders}, ${revenue}, 1, 0, 1, 1)`.execute(database().db);
  let seq = 0;
  const event = (workspaceId: string, customerId: string, name: string, properties: object, type = 'track') => {
    seq += 1;
    return sql`insert into event (workspace_id, id, customer_id, profile_id, message_id, type, name, channel, properties, context, timestamp, received_at)
        values (${workspaceId}, ${`e${seq}`}, ${customerId}, ${customerId}, ${`m${seq}`}, ${type}, ${name}, 'web', ${JSON.stringify(properties)}, '{}', ${seq}, ${seq})`.execute(database().db);
  };

  it('sums each root profile’s orders and refunds per currency, with each workspace’s order events', async () => {
    await workspace('w1', {});
    await workspace('w2', { lifecycle: { orderEvents: ['Purchase'] } });
    await customer('w1', 'ann', 3, 80.5);
    await event('w1', 'ann', 'Order Completed', { revenue: 40, currency: 'EUR' });
    await event('w1', 'ann', 'Order Completed', { total: '19.99', currency: 'gbp' });
    await event('w1', 'ann', 'Order Completed', { revenue: 30.51 });
    await event('w1', 'ann', 'Order Refunded', { total: 10, currency: 'EUR' });
    await event('w1', 'ann', 'Product Viewed', { price: 99, currency: 'EUR' });
    await event('w1', 'ann', 'Order Completed', { revenue: 5 }, 'page');
    // Refunded in full: the currency is left out.
    await customer('w1', 'bob', 1, 0);
    await event('w1', 'bob', 'Order Completed', { revenue: 12, currency: 'JPY' });
    await event('w1', 'bob', 'Order Refunded', { revenue: 12, currency: 'JPY' });
    await customer('w1', 'cy', 0, 0);
    await event('w1', 'cy', 'Signed Up', {});
    // Merged into ann: its events are ann's now, and only roots are summed.
    await customer('w1', 'ann-old', 1, 3, 'ann');
    // An event stored before ingest refused a NUL or half a surrogate pair does not stop the
    // migration; a revenue that is no number counts 0, as ingest reads it.
    await customer('w1', 'eve', 2, 7.5);
    await event('w1', 'eve', 'Order Completed', { revenue: 7.5, currency: 'EUR', note: 'a\u0000b\ud800c' });
    await event('w1', 'eve', 'Order Completed', { revenue: 'soon', total: 5 });
    await customer('w2', 'dee', 2, 70);
    await event('w2', 'dee', 'Purchase', { revenue: 50, currency: 'CHF' });
    await event('w2', 'dee', 'Order Completed', { revenue: 20, currency: 'CHF' });

    await migrateToLatest(database().db);
    const rows = await database().db.selectFrom('customer').select(['workspace_id', 'id', 'revenue']).orderBy('workspace_id').orderBy('id').execute();
    expect(rows.map((r) => [r.workspace_id, r.id, JSON.parse(r.revenue)])).toEqual([
      ['w1', 'ann', { EUR: 30, GBP: 19.99, USD: 30.51 }],
      ['w1', 'ann-old', {}],
      ['w1', 'bob', {}],
      ['w1', 'cy', {}],
      ['w1', 'eve', { EUR: 7.5 }],
      ['w2', 'dee', { CHF: 50 }],
    ]);
  });
});
