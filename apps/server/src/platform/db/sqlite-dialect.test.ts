import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './database.ts';
import { WriteLockSignal } from './write-lock-signal.ts';

const require = createRequire(import.meta.url);

describe('SQLite transactions wait for the write lock off the event loop', () => {
  const opened: { database: Database; other: SQLite.Database; dir: string }[] = [];
  afterEach(async () => {
    for (const { database, other, dir } of opened.splice(0)) {
      other.close();
      await database.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  async function twoConnections() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-begin-'));
    const database = await openDatabase({ dataDir: dir });
    await sql`create table t (n integer not null)`.execute(database.db);
    // The ingest thread's connection, as far as locking goes.
    const other = new SQLite(path.join(dir, 'touchpoint.sqlite'));
    opened.push({ database, other, dir });
    return { db: database.db, other };
  }

  it('keeps timers and sockets running while another connection holds the lock, then commits', async () => {
    const { db, other } = await twoConnections();
    other.prepare('begin immediate').run();
    other.prepare('insert into t (n) values (1)').run();
    let ticks = 0;
    const ticking = setInterval(() => (ticks += 1), 5);
    const write = db.transaction().execute((tx) => sql`insert into t (n) values (2)`.execute(tx));
    // Sleeping inside SQLite's busy handler would freeze this timer, and the commit below with it.
    await new Promise((resolve) => setTimeout(resolve, 150));
    other.prepare('commit').run();
    await write;
    clearInterval(ticking);
    expect(ticks).toBeGreaterThanOrEqual(10);
    expect(other.prepare('select n from t order by n').all()).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('leaves the busy timeout in force outside transactions: a write right after one waits for a lock another thread holds', async () => {
    const { db } = await twoConnections();
    await db.transaction().execute((tx) => sql`insert into t (n) values (1)`.execute(tx));
    const file = opened.at(-1)!.dir + '/touchpoint.sqlite';
    // Another thread takes the write lock, holds it 150 ms, then commits.
    const holder = new Worker(
      `const SQLite = require(${JSON.stringify(require.resolve('better-sqlite3'))});
       const db = new SQLite(${JSON.stringify(file)});
       db.prepare('begin immediate').run();
       db.prepare('insert into t (n) values (2)').run();
       require('node:worker_threads').parentPort.postMessage('locked');
       Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 150);
       db.prepare('commit').run();
       db.close();`,
      { eval: true },
    );
    await new Promise((resolve) => holder.once('message', resolve));
    // Without the busy timeout this would fail at once with SQLITE_BUSY.
    await sql`insert into t (n) values (3)`.execute(db);
    await new Promise((resolve) => holder.once('exit', resolve));
    const rows = await sql<{ n: number }>`select n from t order by n`.execute(db);
    expect(rows.rows.map((r) => r.n)).toEqual([1, 2, 3]);
  });
});

describe('writers of one process hand each other the write lock', () => {
  it('begins as soon as the other writer commits, not at its next pause', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-handoff-'));
    // The server's connection and the ingest thread's, sharing what they signal through.
    const memory = WriteLockSignal.memory();
    const server = await openDatabase({ dataDir: dir, readThreads: 0, sqliteWriteLock: memory });
    const ingest = await openDatabase({ dataDir: dir, readThreads: 0, sqliteWriteLock: memory });
    try {
      await sql`create table t (n integer not null)`.execute(server.db);
      const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      const late: number[] = [];
      for (let round = 0; round < 3; round++) {
        let committedAt = 0;
        let begunAt = 0;
        // The ingest thread holds the lock for 20 ms. Without the signal the server would try
        // again 1, 3, 7, 15 and 31 ms after its first try: at least 11 ms after that commit.
        const holding = ingest.db
          .transaction()
          .execute(async (tx) => {
            await sql`insert into t (n) values (1)`.execute(tx);
            await pause(20);
          })
          .then(() => (committedAt = performance.now()));
        await pause(0);
        const waiting = server.db.transaction().execute(async (tx) => {
          begunAt = performance.now();
          await sql`insert into t (n) values (2)`.execute(tx);
        });
        await Promise.all([holding, waiting]);
        late.push(begunAt - committedAt);
      }
      // The best of three rounds, so that one slow turn of a busy machine's event loop does not decide.
      expect(Math.min(...late)).toBeLessThan(6);
      expect((await sql<{ n: number }>`select count(*) as n from t`.execute(server.db)).rows[0]?.n).toBe(6);
    } finally {
      await ingest.close();
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lets a waiting writer go before the writer that gives way (the ingest thread) takes the lock again', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-give-way-'));
    const memory = WriteLockSignal.memory();
    const server = await openDatabase({ dataDir: dir, readThreads: 0, sqliteWriteLock: memory });
    const ingest = await openDatabase({ dataDir: dir, readThreads: 0, sqliteWriteLock: memory, sqliteGivesWay: true });
    try {
      await sql`create table t (n integer not null)`.execute(server.db);
      const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      const order: string[] = [];
      const first = ingest.db.transaction().execute(async (tx) => {
        await sql`insert into t (n) values (1)`.execute(tx);
        await pause(20);
        order.push('ingest');
      });
      await pause(0);
      const waiting = server.db.transaction().execute(async (tx) => {
        order.push('server');
        await sql`insert into t (n) values (2)`.execute(tx);
      });
      await first;
      // The ingest thread's next group, begun the moment its last commit ended: without giving
      // way it takes the lock again before the woken server gets to try.
      const next = ingest.db.transaction().execute(async (tx) => {
        order.push('ingest again');
        await sql`insert into t (n) values (3)`.execute(tx);
      });
      await Promise.all([waiting, next]);
      expect(order).toEqual(['ingest', 'server', 'ingest again']);
    } finally {
      await ingest.close();
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
