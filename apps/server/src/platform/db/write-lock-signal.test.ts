import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import type { SqliteStatement } from 'kysely';
import { describe, expect, it } from 'vitest';
import { WriteLockSignal } from './write-lock-signal.ts';

const elapsedMs = async (work: () => Promise<void>) => {
  const started = performance.now();
  await work();
  return performance.now() - started;
};

describe('WriteLockSignal', () => {
  it('wakes a wait in this thread when another thread lets go of the lock, long before the wait runs out', async () => {
    const memory = WriteLockSignal.memory();
    const signal = new WriteLockSignal(memory);
    const seen = signal.releases();
    // The other writer, as the ingest thread is: its own thread, the same shared memory.
    const module = pathToFileURL(new URL('./write-lock-signal.ts', import.meta.url).pathname).href;
    const other = new Worker(
      `const { workerData } = require('node:worker_threads');
       import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(module)}); })
         .then(({ WriteLockSignal }) => setTimeout(() => new WriteLockSignal(workerData).released(), 50));`,
      { eval: true, workerData: memory },
    );
    try {
      const waited = await elapsedMs(() => signal.untilReleased(seen, 10_000));
      expect(waited).toBeLessThan(5_000);
      expect(signal.releases()).toBe(seen + 1);
    } finally {
      await other.terminate();
    }
  });

  it('misses no release made between reading the count and waiting', async () => {
    const signal = new WriteLockSignal(WriteLockSignal.memory());
    const seen = signal.releases();
    signal.released();
    expect(await elapsedMs(() => signal.untilReleased(seen, 10_000))).toBeLessThan(1_000);
  });

  it('gives up when its pause runs out and nobody let go', async () => {
    const signal = new WriteLockSignal(WriteLockSignal.memory());
    expect(await elapsedMs(() => signal.untilReleased(signal.releases(), 20))).toBeGreaterThanOrEqual(15);
  });

  it('lets a writer that gives way wait while another writer waits, and no longer than it was told', async () => {
    const signal = new WriteLockSignal(WriteLockSignal.memory());
    expect(await elapsedMs(() => signal.othersFirst(10_000))).toBeLessThan(1_000);
    signal.startWaiting();
    setTimeout(() => {
      // The other writer has the lock now, and later lets go of it.
      signal.stopWaiting();
      signal.released();
    }, 40);
    const waited = await elapsedMs(() => signal.othersFirst(10_000));
    expect(waited).toBeGreaterThanOrEqual(30);
    expect(waited).toBeLessThan(5_000);
    signal.startWaiting();
    expect(await elapsedMs(() => signal.othersFirst(30))).toBeLessThan(1_000);
  });

  it('counts the statements that let go of the write lock: commit, rollback and writes outside a transaction', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-lock-signal-'));
    const file = path.join(dir, 'db.sqlite');
    const handle = new SQLite(file);
    handle.pragma('busy_timeout = 0');
    const signal = new WriteLockSignal(WriteLockSignal.memory());
    const run = (sql: string) => {
      const prepared = handle.prepare(sql);
      const statement = signal.watch(sql, prepared as unknown as SqliteStatement, prepared.readonly, handle);
      if (prepared.reader) statement.all([]);
      else statement.run([]);
      return signal.releases();
    };
    expect(run('create table t (n integer)')).toBe(1);
    expect(run('begin immediate')).toBe(1);
    expect(run('insert into t (n) values (1)')).toBe(1);
    expect(run('select n from t')).toBe(1);
    expect(run('commit')).toBe(2);
    run('begin immediate');
    run('insert into t (n) values (2)');
    expect(run('rollback')).toBe(3);
    expect(run('insert into t (n) values (3)')).toBe(4);
    // A read outside a transaction never held the write lock.
    expect(run('select n from t')).toBe(4);
    // Nor did a begin that found the lock taken by another connection.
    const other = new SQLite(file);
    other.prepare('begin immediate').run();
    expect(() => run('begin immediate')).toThrow(/locked/);
    expect(signal.releases()).toBe(4);
    other.prepare('rollback').run();
    other.close();
    handle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
