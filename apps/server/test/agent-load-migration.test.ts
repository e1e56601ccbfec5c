import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/platform/db/database.ts';
import { migrateTo, migrateToLatest } from '../src/platform/db/migrate.ts';
import { ENGINES, newStore, type Store } from './harness.ts';

/**
 * Migration 0500 moves agents' loads into agent_load, kept by triggers. An existing store must
 * come out of it with the loads its moments make, and the triggers must keep them through
 * every kind of change: a new owner, a status, the waiting line, another channel, a deletion.
 */
describe.each(ENGINES)('agent_load on %s', (engine) => {
  let store: Store;
  let database: Database;
  beforeAll(async () => {
    store = newStore(engine);
    database = await openDatabase({ dataDir: store.config.dataDir, databaseUrl: store.config.databaseUrl, pgSchema: store.pgSchema });
    await migrateTo(database.db, '2026-11-26T0400-owner-load');
  });
  afterAll(async () => {
    await database.close();
    await store.drop();
  });

  const insertMoment = (id: string, m: { owner: string; status: string; channel: string; queued?: boolean; workspace?: string }) =>
    sql`insert into moment (workspace_id, id, customer_id, channel, subject, preview, status, priority, owner_id, queued_at, message_count, last_message_at, created_at, updated_at)
        values (${m.workspace ?? 'w1'}, ${id}, 'c1', ${m.channel}, 's', 'p', ${m.status}, 'normal', ${m.owner}, ${m.queued ? 1 : null}, 1, 1, 1, 1)`.execute(database.db);
  const loads = async () => {
    const rows = await database.db.selectFrom('agent_load').select(['workspace_id', 'agent_id', 'channel', 'n']).where('n', '!=', 0).orderBy('workspace_id').orderBy('agent_id').orderBy('channel').execute();
    return rows.map((r) => `${r.workspace_id}/${r.agent_id}/${r.channel}=${Number(r.n)}`);
  };
  const update = (id: string, set: Record<string, string | number | null>) => database.db.updateTable('moment').set(set).where('id', '=', id).execute();

  it('counts the loads of the moments already stored, then keeps them through every change', async () => {
    await insertMoment('m1', { owner: 'ana', status: 'open', channel: 'chat' });
    await insertMoment('m2', { owner: 'ana', status: 'pending', channel: 'chat' });
    await insertMoment('m3', { owner: 'ana', status: 'snoozed', channel: 'email' });
    await insertMoment('m4', { owner: 'ana', status: 'resolved', channel: 'chat' });
    await insertMoment('m5', { owner: 'ben', status: 'open', channel: 'chat', queued: true });
    await insertMoment('m6', { owner: 'ben', status: 'open', channel: 'chat', workspace: 'w2' });
    await migrateToLatest(database.db);
    expect(await loads()).toEqual(['w1/ana/chat=2', 'w1/ana/email=1', 'w2/ben/chat=1']);

    await update('m1', { owner_id: 'ben' });
    expect(await loads()).toEqual(['w1/ana/chat=1', 'w1/ana/email=1', 'w1/ben/chat=1', 'w2/ben/chat=1']);
    await update('m2', { status: 'resolved' });
    await update('m4', { status: 'open' });
    expect(await loads()).toEqual(['w1/ana/chat=1', 'w1/ana/email=1', 'w1/ben/chat=1', 'w2/ben/chat=1']);
    await update('m5', { queued_at: null });
    await update('m3', { channel: 'chat', status: 'open' });
    expect(await loads()).toEqual(['w1/ana/chat=2', 'w1/ben/chat=2', 'w2/ben/chat=1']);
    // A change that leaves the load where it was (another column, the same owner and channel).
    await update('m1', { subject: 'new subject', status: 'pending' });
    expect(await loads()).toEqual(['w1/ana/chat=2', 'w1/ben/chat=2', 'w2/ben/chat=1']);
    await database.db.deleteFrom('moment').where('id', 'in', ['m1', 'm6']).execute();
    await insertMoment('m7', { owner: 'cai', status: 'open', channel: 'sms' });
    expect(await loads()).toEqual(['w1/ana/chat=2', 'w1/ben/chat=1', 'w1/cai/sms=1']);
  });
});
