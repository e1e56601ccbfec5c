import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './database.ts';
import { BUSY_TIMEOUT_MS } from './sqlite-dialect.ts';

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

  it('leaves the busy timeout in force for every other statement', async () => {
    const { db } = await twoConnections();
    await db.transaction().execute((tx) => sql`insert into t (n) values (3)`.execute(tx));
    const timeout = await sql<{ timeout: number }>`pragma busy_timeout`.execute(db);
    expect(timeout.rows[0]?.timeout).toBe(BUSY_TIMEOUT_MS);
  });
});
