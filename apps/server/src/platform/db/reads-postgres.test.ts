import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './database.ts';

const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

// On PostgreSQL, `reads` is a pool of its own with the same promises as SQLite's read threads:
// it never writes, and a read over the time limit is stopped without touching the main pool.
describe('PostgreSQL reads', () => {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  let dir: string;
  let database: Database;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-pg-reads-'));
    database = await openDatabase({ dataDir: dir, databaseUrl: PG_URL, pgSchema: schema, readTimeoutMs: 300 });
    await sql`create table note (body text not null)`.execute(database.db);
    await sql`insert into note (body) values ('kept')`.execute(database.db);
  });

  afterAll(async () => {
    await database?.close();
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads the schema’s committed rows, and refuses to write', async () => {
    expect((await sql<{ body: string }>`select body from note`.execute(database.reads)).rows).toEqual([{ body: 'kept' }]);
    await expect(sql`delete from note`.execute(database.reads)).rejects.toThrow(/read-only transaction/);
    expect((await sql<{ n: number }>`select count(*)::int as n from note`.execute(database.db)).rows[0]?.n).toBe(1);
  });

  it('stops a read over the time limit; the main pool has none', async () => {
    const started = Date.now();
    await expect(sql`select pg_sleep(5)`.execute(database.reads)).rejects.toMatchObject({ code: '57014' });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect((await sql<{ n: number }>`select 1 as n from pg_sleep(0.5)`.execute(database.db)).rows[0]?.n).toBe(1);
    expect((await sql<{ body: string }>`select body from note`.execute(database.reads)).rows).toEqual([{ body: 'kept' }]);
  });
});
