import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/platform/db/database.ts';
import { migrateTo, migrateToLatest } from '../src/platform/db/migrate.ts';
import { mergeTextIndexStep } from '../src/platform/db/text-index.ts';
import { newStore, type Store } from './harness.ts';

/**
 * Migration 0800 indexes customers' traits for text search on SQLite. A store that already has
 * customers must come out of it with every one of them findable, and the triggers must keep
 * the index true through every change: a new customer, new traits, the same traits written
 * again, a deletion, a VACUUM that renumbers the customer table's rows.
 */
describe('the customer text index (SQLite)', () => {
  let store: Store;
  let database: Database;
  beforeAll(async () => {
    store = newStore('sqlite');
    database = await openDatabase({ dataDir: store.config.dataDir });
    await migrateTo(database.db, '2026-11-26T0700-lookup-indexes');
  });
  afterAll(async () => {
    await database.close();
    await store.drop();
  });

  const insertCustomer = (workspace: string, id: string, traits: Record<string, unknown>) =>
    sql`insert into customer (workspace_id, id, root_id, merged_into, traits, stage, first_seen, last_seen, order_count, revenue, identified, advocate, created_at, updated_at)
        values (${workspace}, ${id}, ${id}, null, ${JSON.stringify(traits)}, 'lead', 1, 1, 0, 0, 1, 0, 1, 1)`.execute(database.db);
  /** Who the index says has `text` in their traits, per workspace. */
  const matching = async (text: string) => {
    const rows = await sql<{ w: string; c: string }>`select k.workspace_id as w, k.customer_id as c from customer_text t join customer_text_key k on k.key = t.rowid
        where customer_text match ${`"${text}"`} order by w, c`.execute(database.db);
    return rows.rows.map((r) => `${r.w}/${r.c}`);
  };

  it('indexes the customers already stored, then follows every change', async () => {
    await insertCustomer('w1', 'ann', { name: 'Ann Müller', email: 'ann@example.com' });
    await insertCustomer('w1', 'bob', { name: 'Bob Stone' });
    await insertCustomer('w2', 'ann2', { name: 'Annika Berg' });
    await migrateToLatest(database.db);
    expect(await matching('müll')).toEqual(['w1/ann']);
    expect(await matching('MÜLLER')).toEqual(['w1/ann']);
    expect(await matching('ann')).toEqual(['w1/ann', 'w2/ann2']);

    await insertCustomer('w1', 'cy', { name: 'Cy Stonebridge' });
    expect(await matching('stone')).toEqual(['w1/bob', 'w1/cy']);
    await database.db.updateTable('customer').set({ traits: JSON.stringify({ name: 'Bob Marsh' }) }).where('id', '=', 'bob').execute();
    expect(await matching('stone')).toEqual(['w1/cy']);
    expect(await matching('marsh')).toEqual(['w1/bob']);
    // The same traits written again (ingest does, on most events) and other columns changed.
    await database.db.updateTable('customer').set({ traits: JSON.stringify({ name: 'Bob Marsh' }), last_seen: 2 }).where('id', '=', 'bob').execute();
    expect(await matching('marsh')).toEqual(['w1/bob']);
    await database.db.deleteFrom('customer').where('id', '=', 'cy').execute();
    expect(await matching('stone')).toEqual([]);
    expect(await database.db.selectFrom('customer_text_key').select('customer_id').where('customer_id', '=', 'cy').execute()).toEqual([]);

    await sql`vacuum`.execute(database.db);
    expect(await matching('marsh')).toEqual(['w1/bob']);
    expect(await matching('müller')).toEqual(['w1/ann']);
  });

  it('merges the segments many small changes leave, and finds the same people after', async () => {
    // One transaction a change, as ingest commits them: each leaves a segment of its own.
    for (let round = 0; round < 40; round++) {
      await database.db.updateTable('customer').set({ traits: JSON.stringify({ name: `Bob Marsh ${round}` }) }).where('id', '=', 'bob').execute();
    }
    const segments = async () => Number((await sql<{ n: number }>`select count(*) as n from customer_text_data`.execute(database.db)).rows[0]?.n);
    const before = await segments();
    let steps = 0;
    while (await mergeTextIndexStep(database.db, 'customer_text')) expect(++steps).toBeLessThan(100);
    expect(steps).toBeGreaterThan(0);
    expect(await segments()).toBeLessThan(before);
    expect(await mergeTextIndexStep(database.db, 'customer_text')).toBe(false);
    expect(await matching('marsh 39')).toEqual(['w1/bob']);
    expect(await matching('marsh 38')).toEqual([]);
    expect(await matching('müller')).toEqual(['w1/ann']);
  });
});
