import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './database.ts';
import { migrateToLatest } from './migrate.ts';

describe('migrations on SQLite', () => {
  let database: Database | null = null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-migrate-'));
  afterEach(async () => {
    await database?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('apply all or nothing: one that fails halfway leaves no table behind, and the next start applies them', async () => {
    database = await openDatabase({ dataDir: dir });
    const first = { up: async (db: Kysely<unknown>) => void (await db.schema.createTable('first').addColumn('id', 'text').execute()) };
    let crash = true;
    const second = {
      up: async (db: Kysely<unknown>) => {
        await db.schema.createTable('second').addColumn('id', 'text').execute();
        // What a process killed at this point leaves: the table made, its record not written.
        if (crash) throw new Error('killed');
        await db.schema.alterTable('second').addColumn('name', 'text').execute();
      },
    };
    await expect(migrateToLatest(database.db, { '1-first': first, '2-second': second })).rejects.toThrow('killed');
    const tables = async () => (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name in ('first', 'second')`.execute(database!.db)).rows.map((r) => r.name).sort();
    expect(await tables()).toEqual([]);
    crash = false;
    expect(await migrateToLatest(database.db, { '1-first': first, '2-second': second })).toEqual(['1-first', '2-second']);
    expect(await tables()).toEqual(['first', 'second']);
  });
});
