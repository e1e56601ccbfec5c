import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/platform/db/database.ts';
import { migrateTo, migrateToLatest } from '../src/platform/db/migrate.ts';
import { mergeTextIndexStep } from '../src/platform/db/text-index.ts';
import { indexInboxText, momentsWithText, unindexedInboxTexts } from '../src/modules/moments/inbox-text.ts';
import { newStore, type Store } from './harness.ts';

/**
 * Migration 1000 indexes what the inbox search reads on SQLite: message bodies and moment
 * subjects. Texts stored before it, and every text written after, must be found whether the
 * ingest thread has indexed them yet or not, and the index must follow every change: a body
 * edited, a message deleted, messages moved to another moment by a merge, a subject changed.
 */
describe('the inbox text index (SQLite)', () => {
  let store: Store;
  let database: Database;
  beforeAll(async () => {
    store = newStore('sqlite');
    database = await openDatabase({ dataDir: store.config.dataDir });
    await migrateTo(database.db, '2026-11-26T0900-customer-by-stage');
  });
  afterAll(async () => {
    await database.close();
    await store.drop();
  });

  const insertMoment = (workspace: string, id: string, subject: string) =>
    sql`insert into moment (workspace_id, id, customer_id, channel, subject, preview, status, priority, owner_id, message_count, last_message_at, created_at, updated_at)
        values (${workspace}, ${id}, 'c1', 'email', ${subject}, '', 'open', 'normal', 'ana', 0, 1, 1, 1)`.execute(database.db);
  const insertMessage = (workspace: string, id: string, momentId: string, body: string) =>
    sql`insert into message (workspace_id, id, moment_id, channel, direction, author_kind, author_id, body, mentions, external_id, delivery, delivery_error, created_at)
        values (${workspace}, ${id}, ${momentId}, 'email', 'in', 'customer', null, ${body}, '[]', null, 'received', null, 1)`.execute(database.db);
  const found = async (text: string, workspace = 'w1') => ((await momentsWithText(database.db, workspace, text)) ?? ['(no answer)']).sort();
  const indexAll = async () => {
    while (await indexInboxText(database.db));
  };

  it('finds what was stored before it and what is written after, indexed or not yet', async () => {
    await insertMoment('w1', 'm1', 'Refund for order 1000');
    await insertMoment('w1', 'm2', 'Where is my parcel?');
    await insertMoment('w2', 'm3', 'Refund please');
    await insertMessage('w1', 'msg1', 'm2', 'Grüße, JÜRGEN MÜLLER');
    await migrateToLatest(database.db);
    // Nothing indexed yet: the texts are read as they are.
    expect(await found('refund')).toEqual(['m1']);
    expect(await found('müller')).toEqual(['m2']);
    await indexAll();
    expect(await found('REFUND')).toEqual(['m1']);
    expect(await found('refund', 'w2')).toEqual(['m3']);
    expect(await found('jürgen müller')).toEqual(['m2']);
    // Written after the last indexing: waiting, and found all the same.
    expect(await unindexedInboxTexts(database.db)).toBe(0);
    await insertMessage('w1', 'msg2', 'm1', 'the zebracorn arrived broken');
    expect(await unindexedInboxTexts(database.db)).toBe(1);
    expect(await found('zebracorn')).toEqual(['m1']);
    await indexAll();
    expect(await unindexedInboxTexts(database.db)).toBe(0);
    expect(await found('zebracorn')).toEqual(['m1']);
    expect(await found('ok')).toEqual(['(no answer)']);
  });

  it('follows edits, deletions, merges and new subjects', async () => {
    await database.db.updateTable('message').set({ body: 'the unicorn arrived whole' }).where('id', '=', 'msg2').execute();
    expect(await found('zebracorn')).toEqual([]);
    expect(await found('unicorn')).toEqual(['m1']);
    await indexAll();
    expect(await found('unicorn')).toEqual(['m1']);
    // A merge moves the messages: they are found on the moment that holds them now.
    await database.db.updateTable('message').set({ moment_id: 'm2' }).where('id', '=', 'msg2').execute();
    expect(await found('unicorn')).toEqual(['m2']);
    await database.db.deleteFrom('message').where('id', '=', 'msg1').execute();
    expect(await found('müller')).toEqual([]);
    await database.db.updateTable('moment').set({ subject: 'Parcel lost at sea' }).where('id', '=', 'm2').execute();
    expect(await found('where is')).toEqual([]);
    await indexAll();
    expect(await found('lost at sea')).toEqual(['m2']);
    while (await mergeTextIndexStep(database.db, 'inbox_text'));
    expect(await found('lost at sea')).toEqual(['m2']);
    expect(await found('unicorn')).toEqual(['m2']);
    expect(await found('refund for')).toEqual(['m1']);
  });
});
