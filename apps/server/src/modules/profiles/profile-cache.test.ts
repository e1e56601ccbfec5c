import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/harness.ts';
import type { Database } from '../../platform/db/database.ts';
import type { CustomerTable } from '../../platform/db/tables.ts';
import { createProfileCache, type ProfileCache } from './profile-cache.ts';

const ann: CustomerTable = {
  workspace_id: 'w', id: 'c-ann', root_id: 'c-ann', merged_into: null, traits: '{"name":"Ann"}', stage: 'lead', stage_override: null, stage_override_reason: null,
  first_seen: 1, last_seen: 1, order_count: 0, revenue: 0, identified: 1, advocate: 0, created_at: 1, updated_at: 1,
};

describe('the ingest thread’s profile cache (SQLite)', () => {
  let database: Database;
  let drop: () => Promise<void>;
  let cache: ProfileCache;
  beforeAll(async () => {
    ({ database, drop } = await openTestDatabase());
    cache = createProfileCache();
  });
  afterAll(() => drop());

  /** One ingest transaction as commitInProcess runs it: begin, work, end, commit. */
  const ingest = (work: () => Promise<void> | void) =>
    database.db.transaction().execute(async (tx) => {
      await cache.begin(tx);
      await work();
      await tx.insertInto('customer').values(ann).onConflict((oc) => oc.columns(['workspace_id', 'id']).doUpdateSet({ updated_at: 2 })).execute();
      await cache.end(tx);
    });

  it('keeps what the thread itself wrote from one transaction to the next', async () => {
    await ingest(() => {
      cache.putCustomer(ann);
      cache.putIdentity('w', 'email', 'ann@example.com', { root: 'c-ann', profile: 'c-ann' });
    });
    await ingest(() => {
      expect(cache.customer('w', 'c-ann')).toEqual(ann);
      expect(cache.identity('w', 'email', 'ann@example.com')).toEqual({ root: 'c-ann', profile: 'c-ann' });
      expect(cache.identity('other-workspace', 'email', 'ann@example.com')).toBeUndefined();
    });
  });

  it('forgets everything once anyone else wrote a customer or an identity', async () => {
    await database.db.updateTable('customer').set({ stage_override: 'advocate' }).where('id', '=', 'c-ann').execute();
    await ingest(() => {
      expect(cache.customer('w', 'c-ann')).toBeUndefined();
      cache.putIdentity('w', 'email', 'ann@example.com', { root: 'c-ann', profile: 'c-ann' });
    });
    await database.db.insertInto('identity').values({ workspace_id: 'w', kind: 'phone', value: '+14155550101', customer_id: 'c-ann', profile_id: 'c-ann', created_at: 1 }).execute();
    await ingest(() => expect(cache.identity('w', 'email', 'ann@example.com')).toBeUndefined());
  });

  it('forget() drops what a transaction that did not commit taught it (commitInProcess calls it then)', async () => {
    await expect(
      database.db.transaction().execute(async (tx) => {
        await cache.begin(tx);
        cache.putCustomer({ ...ann, traits: '{"name":"Not Ann"}' });
        throw new Error('the group failed');
      }),
    ).rejects.toThrow('the group failed');
    cache.forget();
    await ingest(() => expect(cache.customer('w', 'c-ann')).toBeUndefined());
  });
});
