import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { messageByExternalId } from '../src/modules/moments/index.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { ENGINES, useTestDatabase } from './harness.ts';

/**
 * Migration 0400 of 2026-11-28 makes provider ids unique per configured channel: an existing
 * store's messages take their moment's channel, and the ids stored before stay found.
 */
describe.each(ENGINES)('provider ids per channel on %s', (engine) => {
  const database = useTestDatabase(engine, '2026-11-28T0300-unicode-lower-final-sigma');

  it('gives each message its moment’s channel; the same id may then be stored once on each channel', async () => {
    const db = database().db;
    for (const [id, channelId, conversation] of [['m1', 'crm', 'T-1'], ['m2', null, null]]) {
      await sql`insert into moment (workspace_id, id, customer_id, channel, channel_id, external_id, subject, preview, status, priority, owner_id, message_count, last_message_at, created_at, updated_at)
        values ('w1', ${id}, 'c1', 'api', ${channelId}, ${conversation}, 's', 'p', 'open', 'normal', 'ana', 1, 1, 1, 1)`.execute(db);
    }
    for (const [id, moment, externalId] of [['a', 'm1', '1'], ['b', 'm2', '2']]) {
      await sql`insert into message (workspace_id, id, moment_id, channel, direction, author_kind, body, mentions, external_id, delivery, created_at)
        values ('w1', ${id}, ${moment}, 'api', 'in', 'customer', 'hi', '[]', ${externalId}, 'received', 1)`.execute(db);
    }
    await migrateToLatest(db);

    const rows = await db.selectFrom('message').select(['id', 'channel_id']).orderBy('id').execute();
    expect(rows).toEqual([{ id: 'a', channel_id: 'crm' }, { id: 'b', channel_id: null }]);
    expect((await messageByExternalId(db, 'w1', { channel: 'api', channelId: 'crm' }, '1'))?.id).toBe('a');
    expect((await messageByExternalId(db, 'w1', { channel: 'api', channelId: null }, '2'))?.id).toBe('b');
    expect(await messageByExternalId(db, 'w1', { channel: 'api', channelId: 'shop' }, '1')).toBeUndefined();

    // Another channel's "1" and its conversation "T-1" are its own; the same channel's are still refused.
    const insertMessage = (id: string, channelId: string | null, externalId: string) =>
      sql`insert into message (workspace_id, id, moment_id, channel, channel_id, direction, author_kind, body, mentions, external_id, delivery, created_at)
        values ('w1', ${id}, 'm1', 'api', ${channelId}, 'in', 'customer', 'hi', '[]', ${externalId}, 'received', 1)`.execute(db);
    await insertMessage('c', 'shop', '1');
    await expect(insertMessage('d', 'crm', '1')).rejects.toThrow();
    await expect(insertMessage('e', null, '2')).rejects.toThrow();
    const insertMoment = (id: string, channelId: string | null) =>
      sql`insert into moment (workspace_id, id, customer_id, channel, channel_id, external_id, subject, preview, status, priority, owner_id, message_count, last_message_at, created_at, updated_at)
        values ('w1', ${id}, 'c2', 'api', ${channelId}, 'T-1', 's', 'p', 'open', 'normal', 'ana', 1, 1, 1, 1)`.execute(db);
    await insertMoment('m3', 'shop');
    await insertMoment('m4', null);
    await expect(insertMoment('m5', 'crm')).rejects.toThrow();
    await expect(insertMoment('m6', null)).rejects.toThrow();
  });
});
