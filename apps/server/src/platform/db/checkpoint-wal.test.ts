import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { walCheckpointer, type RunPragma } from './checkpoint-wal.ts';
import { openDatabase, type Database } from './database.ts';

// Another connection writing on a thread of its own, as the server's thread does under webhook
// load: a write every half millisecond, so one is under way whenever a checkpoint ends.
const WRITER = `
const { workerData, parentPort } = require('node:worker_threads');
const SQLite = require('better-sqlite3');
const db = new SQLite(workerData.file);
db.pragma('wal_autocheckpoint = 0');
db.pragma('busy_timeout = 5000');
const insert = db.prepare('insert into note (body) values (?)');
const write = db.transaction(() => { for (let i = 0; i < 20; i++) insert.run('x'.repeat(1000)); });
const until = Date.now() + workerData.ms;
let commits = 0;
const pause = new Int32Array(new SharedArrayBuffer(4));
while (Date.now() < until) { write.immediate(); commits++; Atomics.wait(pause, 0, 0, 0.5); }
db.close();
parentPort.postMessage(commits);
`;

/** Runs the writer for `ms` on its own thread; resolves with its number of commits. */
function write(file: string, ms: number): { readonly done: Promise<number>; readonly finished: () => boolean } {
  const writer = new Worker(WRITER, { eval: true, workerData: { file, ms } });
  let finished = false;
  const done = new Promise<number>((resolve, reject) => {
    writer.once('message', (commits: number) => {
      finished = true;
      resolve(commits);
    });
    writer.once('error', reject);
  });
  return { done, finished: () => finished };
}

/** Pragmas on the test's own connection (the server runs them on its checkpoint thread). */
const pragmaOn = (database: Database): RunPragma => async (pragma) => (await sql.raw(`pragma ${pragma}`).execute(database.db)).rows as Record<string, unknown>[];

/** The WAL header's checkpoint sequence number: it goes up by one each time the log starts over. */
const restarts = (file: string) => fs.readFileSync(`${file}-wal`).readUInt32BE(12);

describe('walCheckpointer', () => {
  let dir: string;
  let database: Database;
  let file: string;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-wal-'));
    database = await openDatabase({ dataDir: dir, sqliteAutoCheckpoint: false, readThreads: 0 });
    file = path.join(dir, 'touchpoint.sqlite');
    await sql`create table note (body text not null)`.execute(database.db);
  });

  afterEach(async () => {
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts the log over while another connection writes without pause, so it stays small', async () => {
    const before = restarts(file);
    const checkpoint = walCheckpointer(pragmaOn(database), `${file}-wal`, { restartAfterPages: 500, truncateAboveBytes: Infinity });
    const writer = write(file, 1500);
    let largest = 0;
    while (!writer.finished()) {
      await new Promise((r) => setTimeout(r, 100));
      await checkpoint();
      largest = Math.max(largest, fs.statSync(`${file}-wal`).size);
    }
    expect(await writer.done).toBeGreaterThan(50);
    expect(restarts(file) - before).toBeGreaterThanOrEqual(3);
    // 500 pages is 2 MB; what the writer adds in the 100 ms between checkpoints comes on top.
    expect(largest).toBeLessThan(40 * 1024 * 1024);
  });

  it('cuts back a log file a burst left large, once writing is quiet, and not while it goes on', async () => {
    await write(file, 500).done;
    const walFile = `${file}-wal`;
    const large = fs.statSync(walFile).size;
    expect(large).toBeGreaterThan(2 * 1024 * 1024);
    const checkpoint = walCheckpointer(pragmaOn(database), walFile, { restartAfterPages: Infinity, truncateAboveBytes: 1024 * 1024 });
    // The burst's pages are still to copy: this checkpoint copies them and leaves the file.
    await checkpoint();
    expect(fs.statSync(walFile).size).toBe(large);
    // Quiet now: the next one cuts the file back, and every row is in the database.
    await checkpoint();
    expect(fs.statSync(walFile).size).toBe(0);
    const { rows } = await sql<{ n: number }>`select count(*) as n from note`.execute(database.db);
    expect(rows[0]?.n).toBeGreaterThan(1000);
  });
});
