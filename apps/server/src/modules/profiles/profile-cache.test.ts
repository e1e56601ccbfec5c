import { describe, expect, it } from 'vitest';
import { ENGINES, useTestDatabase } from '../../../test/harness.ts';
import type { Tx } from '../../platform/db/database.ts';
import { lockWorkspace } from '../../platform/db/lock-workspace.ts';
import type { CustomerTable } from '../../platform/db/tables.ts';
import { createProfileCache } from './profile-cache.ts';

const customer = (workspace_id: string, id: string, name: string): CustomerTable => ({
  workspace_id, id, root_id: id, merged_into: null, traits: JSON.stringify({ name }), stage: 'lead', stage_override: null, stage_override_reason: null,
  first_seen: 1, last_seen: 1, order_count: 0, revenue: '{}', identified: 1, advocate: 0, created_at: 1, updated_at: 1,
});
const ann = customer('w', 'c-ann', 'Ann');
const bob = customer('v', 'c-bob', 'Bob');

describe.each(ENGINES)('an ingest process’s profile cache (%s)', (engine) => {
  const database = useTestDatabase(engine);
  const cache = createProfileCache();

  const upsert = (tx: Tx, row: CustomerTable) => tx.insertInto('customer').values(row).onConflict((oc) => oc.columns(['workspace_id', 'id']).doUpdateSet({ updated_at: 2 })).execute();

  /** One ingest transaction as commitInProcess runs it: per workspace lock, take, work and write, leave; commit. */
  const ingest = (work: Record<string, () => Promise<void> | void>) =>
    database().db.transaction().execute(async (tx) => {
      for (const [workspaceId, step] of Object.entries(work)) {
        await lockWorkspace(tx, engine, workspaceId);
        await cache.take(tx, workspaceId);
        await step();
        await upsert(tx, workspaceId === 'w' ? ann : bob);
        await cache.leave(tx, workspaceId);
      }
    });

  it('keeps what the process itself wrote from one transaction to the next, per workspace', async () => {
    await ingest({
      w: () => {
        cache.putCustomer(ann);
        cache.putIdentity('w', 'email', 'ann@example.com', { root: 'c-ann', profile: 'c-ann' });
      },
      v: () => cache.putCustomer(bob),
    });
    await ingest({
      w: () => {
        expect(cache.customer('w', 'c-ann')).toEqual(ann);
        expect(cache.identity('w', 'email', 'ann@example.com')).toEqual({ root: 'c-ann', profile: 'c-ann' });
        expect(cache.identity('v', 'email', 'ann@example.com')).toBeUndefined();
      },
      v: () => expect(cache.customer('v', 'c-bob')).toEqual(bob),
    });
  });

  it('forgets a workspace once anyone else wrote one of its customers or identities, and only that workspace', async () => {
    await database().db.updateTable('customer').set({ stage_override: 'advocate' }).where('id', '=', 'c-ann').execute();
    await ingest({
      w: () => {
        expect(cache.customer('w', 'c-ann')).toBeUndefined();
        cache.putIdentity('w', 'email', 'ann@example.com', { root: 'c-ann', profile: 'c-ann' });
      },
      v: () => expect(cache.customer('v', 'c-bob')).toEqual(bob),
    });
    await database().db.insertInto('identity').values({ workspace_id: 'w', kind: 'phone', value: '+14155550101', customer_id: 'c-ann', profile_id: 'c-ann', created_at: 1 }).execute();
    await ingest({ w: () => expect(cache.identity('w', 'email', 'ann@example.com')).toBeUndefined() });
    await database().db.deleteFrom('identity').where('workspace_id', '=', 'w').where('kind', '=', 'phone').execute();
    cache.putCustomer(ann);
    await ingest({ w: () => expect(cache.customer('w', 'c-ann')).toBeUndefined() });
  });

  it('forgets what another process’s ingest of the same workspace wrote (several servers on one PostgreSQL)', async () => {
    const other = createProfileCache();
    await ingest({ w: () => cache.putCustomer(ann) });
    await database().db.transaction().execute(async (tx) => {
      await lockWorkspace(tx, engine, 'w');
      await other.take(tx, 'w');
      await upsert(tx, { ...ann, traits: '{"name":"Ann B."}' });
      other.putCustomer({ ...ann, traits: '{"name":"Ann B."}' });
      await other.leave(tx, 'w');
    });
    await ingest({ w: () => expect(cache.customer('w', 'c-ann')).toBeUndefined() });
  });

  it('forget() drops what a transaction that did not commit taught it (commitInProcess calls it then)', async () => {
    await expect(
      database().db.transaction().execute(async (tx) => {
        await cache.take(tx, 'w');
        cache.putCustomer({ ...ann, traits: '{"name":"Not Ann"}' });
        throw new Error('the group failed');
      }),
    ).rejects.toThrow('the group failed');
    cache.forget();
    await ingest({ w: () => expect(cache.customer('w', 'c-ann')).toBeUndefined() });
  });
});
