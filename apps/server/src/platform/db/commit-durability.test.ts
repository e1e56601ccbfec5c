import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whenDurable } from './commit-durability.ts';
import { openDatabase, type Database, type Tx } from './database.ts';
import { commitInGroup } from './group-commit.ts';
import { migrateToLatest } from './migrate.ts';
import { transactionWithoutFsync } from './transaction-without-fsync.ts';
import type { SyncFile } from './wal-sync.ts';
import { createWorker } from '../../worker/outbox-worker.ts';
import { systemIds } from '../ids.ts';
import { createLogger } from '../logger.ts';
import { writeOutbox } from '../outbox.ts';
import { createSecretBox } from '../secret-box.ts';

/** Syncs of the WAL held until the test lets them go (each really runs then). */
const begun: (() => void)[] = [];
let syncs = 0;
const heldSync: SyncFile = (_file, done) => {
  syncs += 1;
  begun.push(() => done(null));
};
const finishSyncs = () => {
  for (const finish of begun.splice(0)) finish();
};

const settled = async (promise: Promise<unknown>) => {
  let state = 'pending';
  promise.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  return state;
};

const note = (id: string) => (tx: Tx) => tx.insertInto('audit').values({ workspace_id: 'w', id, actor: 'test', action: 'a', target: 't', details: '{}', created_at: 0 }).execute();
const ids = async (database: Database) => (await database.db.selectFrom('audit').select('id').orderBy('id').execute()).map((r) => r.id);

describe('SQLite commits synced off the thread', () => {
  let dir: string;
  let database: Database;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-durability-'));
    database = await openDatabase({ dataDir: dir, sqliteSyncOffThread: true, sqliteSyncFile: heldSync, readThreads: 0 });
    const migrating = migrateToLatest(database.db);
    while ((await settled(migrating)) === 'pending') finishSyncs();
    await migrating;
  });
  afterAll(async () => {
    const closing = database.close();
    while ((await settled(closing)) === 'pending') finishSyncs();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers a transaction once the WAL is synced, and lends the connection to others meanwhile', async () => {
    const before = syncs;
    const write = database.db.transaction().execute(note('t1'));
    expect(await settled(write)).toBe('pending');
    expect(syncs).toBe(before + 1);
    // The commit is visible and the connection free while its sync runs.
    expect(await ids(database)).toContain('t1');
    finishSyncs();
    expect(await settled(write)).toBe('resolved');
  });

  it('a write outside any transaction waits too; a read never syncs', async () => {
    const before = syncs;
    await database.db.selectFrom('audit').selectAll().execute();
    await sql`select count(*) from audit`.execute(database.db);
    expect(syncs).toBe(before);
    const write = note('a1')(database.db as unknown as Tx);
    expect(await settled(write)).toBe('pending');
    finishSyncs();
    expect(await settled(write)).toBe('resolved');
    expect(syncs).toBe(before + 1);
  });

  it('runs without synchronous FULL in COMMIT itself', async () => {
    expect((await sql<{ synchronous: number }>`pragma synchronous`.execute(database.db)).rows[0]?.synchronous).toBe(1);
  });

  it('a rolled-back transaction waits for nothing', async () => {
    const before = syncs;
    await expect(
      database.db.transaction().execute(async (tx) => {
        await note('rolled')(tx);
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(syncs).toBe(before);
    expect(await ids(database)).not.toContain('rolled');
  });

  it('bookkeeping without fsync neither waits nor makes whenDurable wait', async () => {
    const before = syncs;
    await transactionWithoutFsync(database.db, 'sqlite', note('lease'));
    expect(await settled(whenDurable(database.db))).toBe('resolved');
    expect(syncs).toBe(before);
  });

  it('group commit tells each unit it is visible first, and answers once the group is on disk', async () => {
    const seen: string[] = [];
    const units = ['g1', 'g2'].map((id) =>
      commitInGroup(
        database.db,
        async (tx) => {
          await note(id)(tx);
          return id;
        },
        (value) => seen.push(value),
      ),
    );
    const all = Promise.all(units);
    while (seen.length < 2) await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['g1', 'g2']);
    expect(await settled(all)).toBe('pending');
    expect(await settled(whenDurable(database.db))).toBe('pending');
    finishSyncs();
    expect(await all).toEqual(['g1', 'g2']);
  });

  it('the outbox worker delivers an event only once the transaction that wrote it is on disk', async () => {
    const deps = { db: database.db, reads: database.reads, engine: 'sqlite' as const, clock: { now: () => Date.now() }, ids: systemIds, log: createLogger('silent'), secretBox: createSecretBox(Buffer.alloc(32)) };
    let visible = false;
    const write = commitInGroup(database.db, (tx) => writeOutbox(tx, deps, [{ workspaceId: 'w', topic: 'thing.happened', payload: { n: 1 } }]), () => (visible = true));
    while (!visible) await new Promise((resolve) => setImmediate(resolve));
    const delivered: unknown[] = [];
    const worker = createWorker(deps, { 'thing.happened': [async (event) => void delivered.push(event.payload.n)] });
    const draining = worker.drain();
    expect(await settled(draining)).toBe('pending');
    expect(delivered).toEqual([]);
    finishSyncs();
    expect(await draining).toBe(1);
    expect(delivered).toEqual([1]);
    await write;
  });
});
