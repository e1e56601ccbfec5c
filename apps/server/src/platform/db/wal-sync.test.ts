import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fdatasyncKeptOpen, WalSync, type SyncFile } from './wal-sync.ts';

/** A SyncFile that syncs only when the test says: the syncs begun, and a way to finish the oldest. */
function heldSyncs() {
  const begun: ((error: Error | null) => void)[] = [];
  const syncFile: SyncFile = (_file, done) => void begun.push(done);
  return { syncFile, begun, finish: (error: Error | null = null) => begun.shift()!(error) };
}

const settled = async (promise: Promise<unknown>) => {
  let state = 'pending';
  promise.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return state;
};

describe('WalSync', () => {
  it('answers at once when every counted commit is on disk, and never syncs for nothing', async () => {
    const held = heldSyncs();
    const wal = new WalSync('/nowhere', held.syncFile);
    expect(await settled(wal.durable())).toBe('resolved');
    expect(held.begun).toHaveLength(0);
  });

  it('waits for a sync begun after the commit, and commits during a sync share the next one', async () => {
    const held = heldSyncs();
    const wal = new WalSync('/nowhere', held.syncFile);
    wal.counted();
    const first = wal.durable();
    expect(held.begun).toHaveLength(1);
    // Written while the first sync runs: it may not cover them.
    wal.counted();
    const second = wal.durable();
    wal.counted();
    const third = wal.durable();
    expect(held.begun).toHaveLength(1);
    held.finish();
    expect(await settled(first)).toBe('resolved');
    expect(await settled(second)).toBe('pending');
    expect(held.begun).toHaveLength(1);
    held.finish();
    expect(await settled(second)).toBe('resolved');
    expect(await settled(third)).toBe('resolved');
    expect(held.begun).toHaveLength(0);
    expect(await settled(wal.durable())).toBe('resolved');
  });

  it('after a failed sync calls nothing durable again', async () => {
    const held = heldSyncs();
    const wal = new WalSync('/nowhere', held.syncFile);
    wal.counted();
    const waiting = wal.durable();
    held.finish(new Error('EIO'));
    await expect(waiting).rejects.toThrow('EIO');
    await expect(wal.durable()).rejects.toThrow('EIO');
  });

  it('syncs a real file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-wal-sync-'));
    try {
      const file = path.join(dir, 'x-wal');
      fs.writeFileSync(file, 'frames');
      const kept = fdatasyncKeptOpen();
      const sync = (name: string) => new Promise<void>((resolve, reject) => kept.syncFile(name, (error) => (error ? reject(error) : resolve())));
      await expect(sync(path.join(dir, 'missing'))).rejects.toThrow('ENOENT');
      await sync(file);
      // Truncated in place, as SQLite starts a WAL over: the kept descriptor still syncs it.
      fs.truncateSync(file, 0);
      fs.appendFileSync(file, 'new frames');
      await sync(file);
      kept.close();
      // A WalSync of its own file syncs it and lets go of it on close.
      const wal = new WalSync(file);
      wal.counted();
      await wal.durable();
      await wal.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
