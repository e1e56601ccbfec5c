import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { ENGINES, useTestDatabase } from '../../../test/harness.ts';
import type { Database, Tx } from './database.ts';
import { transactionWithoutFsync } from './transaction-without-fsync.ts';

const note = (id: string) => (tx: Tx) => tx.insertInto('audit').values({ workspace_id: 'w', id, actor: 'test', action: 'a', target: 't', details: '{}', created_at: 0 }).execute();
const stored = async (at: Database) => (await at.db.selectFrom('audit').select('id').orderBy('id').execute()).map((r) => r.id);

/** What a commit on this connection waits for: SQLite's synchronous level, PostgreSQL's synchronous_commit. */
async function syncSetting(tx: Tx, engine: Database['engine']): Promise<string> {
  if (engine === 'sqlite') return String((await sql<{ synchronous: number }>`pragma synchronous`.execute(tx)).rows[0]?.synchronous);
  return (await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(tx)).rows[0]!.synchronous_commit;
}

describe.each(ENGINES)('transactionWithoutFsync on %s', (engine) => {
  const database = useTestDatabase(engine);

  const durable = engine === 'sqlite' ? '2' : 'on';
  const unsynced = engine === 'sqlite' ? '1' : 'off';

  it('commits without waiting for the disk, and a durable write started meanwhile still waits for it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let inside = '';
    const bookkeeping = transactionWithoutFsync(database().db, engine, async (tx) => {
      inside = await syncSetting(tx, engine);
      await gate;
      await note('lease')(tx);
    });
    // Started while the bookkeeping transaction is open: on SQLite it waits for the one
    // connection, and must not find it still set to skip the fsync.
    const other = database().db.transaction().execute(async (tx) => {
      await note('reply')(tx);
      return syncSetting(tx, engine);
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    await bookkeeping;
    expect(inside).toBe(unsynced);
    expect(await other).toBe(durable);
    expect(await stored(database())).toEqual(['lease', 'reply']);
    expect(await database().db.transaction().execute((tx) => syncSetting(tx, engine))).toBe(durable);
  });

  it('rolls back a throw and leaves every later commit durable', async () => {
    await expect(
      transactionWithoutFsync(database().db, engine, async (tx) => {
        await note('half')(tx);
        throw new Error('listener bookkeeping failed');
      }),
    ).rejects.toThrow('listener bookkeeping failed');
    expect(await stored(database())).not.toContain('half');
    expect(await database().db.transaction().execute((tx) => syncSetting(tx, engine))).toBe(durable);
  });
});
