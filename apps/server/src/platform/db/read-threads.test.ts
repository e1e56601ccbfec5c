import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './database.ts';

// Counts to n in SQLite itself: a read that keeps its thread busy for a few hundred ms.
const longRead = (n: number) => sql<{ n: number }>`with recursive c(x) as (select 1 union all select x + 1 from c where x < ${n}) select count(*) as n from c`;

/** The longest gap between ticks of a 5 ms timer while `work` runs: how long the event loop was held. */
async function longestStall(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 5);
  await new Promise((resolve) => setTimeout(resolve, 20));
  last = performance.now();
  await work();
  clearInterval(timer);
  return Math.max(longest, performance.now() - last);
}

describe('SQLite read threads', () => {
  let dir: string;
  let database: Database;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-reads-'));
    database = await openDatabase({ dataDir: dir });
    await sql`create table note (body text not null)`.execute(database.db);
  });

  afterEach(async () => {
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads what the main connection has committed, including unicode folding', async () => {
    await sql`insert into note (body) values ('MÜLLER'), ('Ann')`.execute(database.db);
    const rows = await sql<{ body: string }>`select body from note where unicode_lower(body) like ${'%müll%'}`.execute(database.reads);
    expect(rows.rows).toEqual([{ body: 'MÜLLER' }]);
    await sql`insert into note (body) values ('Müllerin')`.execute(database.db);
    const again = await sql<{ n: number }>`select count(*) as n from note where unicode_lower(body) like ${'%müll%'}`.execute(database.reads);
    expect(again.rows[0]?.n).toBe(2);
  });

  it('gives the rows the main connection gives: same keys in the same order, values, a duplicate name, a __proto__ column', async () => {
    await sql`insert into note (body) values ('a'), ('b')`.execute(database.db);
    const queries = [
      sql`select rowid as id, body, null as absent, 9007199254740991 as big, 0.5 as half from note order by body`,
      sql`select body as "x", 1 as "x", 'q"uote' as "a""b" from note`,
      sql`select body as "__proto__" from note`,
      sql`select body from note where body = 'none'`,
    ];
    for (const query of queries) {
      const [main, offThread] = [(await query.execute(database.db)).rows, (await query.execute(database.reads)).rows];
      expect(offThread).toEqual(main);
      expect(offThread.map((row) => Object.keys(row as object))).toEqual(main.map((row) => Object.keys(row as object)));
    }
  });

  it('keeps the event loop free while a long read runs, where the main connection holds it', async () => {
    const offThread = await longestStall(() => longRead(2_000_000).execute(database.reads));
    const onLoop = await longestStall(() => longRead(2_000_000).execute(database.db));
    expect(onLoop).toBeGreaterThan(150);
    expect(offThread).toBeLessThan(100);
  });

  it('refuses writes and leaves the data as it was', async () => {
    await sql`insert into note (body) values ('kept')`.execute(database.db);
    await expect(sql`delete from note`.execute(database.reads)).rejects.toThrow(/only statements that return rows/);
    await expect(sql`insert into note (body) values ('x') returning body`.execute(database.reads)).rejects.toThrow(/readonly/);
    await expect(database.reads.transaction().execute(async () => 1)).rejects.toThrow(/not transactions/);
    const rows = await sql<{ body: string }>`select body from note`.execute(database.db);
    expect(rows.rows).toEqual([{ body: 'kept' }]);
  });

  it('rejects a bad query with SQLite’s reason and goes on serving', async () => {
    await expect(sql`select nope from note`.execute(database.reads)).rejects.toMatchObject({ message: expect.stringMatching(/no such column: nope/), code: 'SQLITE_ERROR' });
    const rows = await Promise.all([1, 2, 3].map((n) => sql<{ n: number }>`select ${n} as n`.execute(database.reads)));
    expect(rows.map((r) => r.rows[0]?.n)).toEqual([1, 2, 3]);
  });

  it('stops a read that runs over its time limit; the reads queued behind it still get answers', async () => {
    const limited = await openDatabase({ dataDir: dir, readThreads: 1, readTimeoutMs: 300 });
    try {
      await sql`insert into note (body) values ('after')`.execute(limited.db);
      const started = Date.now();
      // Counting to 10^10 would hold the one thread for minutes.
      const endless = longRead(10_000_000_000).execute(limited.reads);
      const behind = sql<{ body: string }>`select body from note`.execute(limited.reads);
      await expect(endless).rejects.toMatchObject({ code: 'query_timeout', message: expect.stringMatching(/ran over 0.3 s/) });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect((await behind).rows).toEqual([{ body: 'after' }]);
      const next = await sql<{ n: number }>`select count(*) as n from note`.execute(limited.reads);
      expect(next.rows[0]?.n).toBe(1);
    } finally {
      await limited.close();
    }
  });
});
