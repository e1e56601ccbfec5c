import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { ENGINES, useTestDatabase } from './harness.ts';

/** Migration 0100 of 2026-11-27 gives each moment a tags column: an existing store's tags must land in it, sorted. */
describe.each(ENGINES)('moment tags column on %s', (engine) => {
  const database = useTestDatabase(engine, '2026-11-27T0000-workspace-profile-writes');

  it('fills the column from moment_tag, workspace by workspace, and leaves untagged moments with none', async () => {
    for (const [workspace, id] of [['w1', 'm1'], ['w1', 'm2'], ['w2', 'm1']]) {
      await sql`insert into moment (workspace_id, id, customer_id, channel, subject, preview, status, priority, owner_id, message_count, last_message_at, created_at, updated_at)
        values (${workspace}, ${id}, 'c1', 'chat', 's', 'p', 'open', 'normal', 'ana', 1, 1, 1, 1)`.execute(database().db);
    }
    for (const [workspace, id, tag] of [['w1', 'm1', 'vip'], ['w1', 'm1', 'billing'], ['w1', 'm1', 'zebra'], ['w2', 'm1', 'returns']]) {
      await sql`insert into moment_tag (workspace_id, moment_id, tag) values (${workspace}, ${id}, ${tag})`.execute(database().db);
    }
    await migrateToLatest(database().db);
    const rows = await database().db.selectFrom('moment').select(['workspace_id', 'id', 'tags']).orderBy('workspace_id').orderBy('id').execute();
    expect(rows.map((r) => [r.workspace_id, r.id, JSON.parse(r.tags)])).toEqual([
      ['w1', 'm1', ['billing', 'vip', 'zebra']],
      ['w1', 'm2', []],
      ['w2', 'm1', ['returns']],
    ]);
  });
});
