import { sql } from 'kysely';
import type { Db, Tx } from './database.ts';
import { onTrackedConnection, whenDurable } from './commit-durability.ts';

/** A unit of writes that must commit or roll back as a whole. */
export type WriteUnit<T> = (tx: Tx) => Promise<T>;

/** Told a unit's result once its commit is visible, maybe before it is on disk; must not throw. */
export type OnCommitted<T> = (value: T) => void;

type Pending = { readonly unit: WriteUnit<unknown>; readonly committed?: OnCommitted<unknown>; readonly resolve: (value: unknown) => void; readonly reject: (error: unknown) => void };

const MAX_UNITS = 64;
const queues = new WeakMap<Db, { pending: Pending[]; running: boolean }>();

/**
 * Group commit for small write transactions on SQLite, where every commit waits for an fsync
 * and there is one writer anyway: units submitted while a transaction is in flight run
 * together in the next one, each inside its own savepoint (a unit that throws is rolled back
 * alone and rejects alone), and every promise settles only after the shared commit is on disk.
 * Where the WAL is synced off the thread (commit-durability.ts), a group's sync runs while the
 * next group's statements do, and `committed` hears of each unit as soon as its commit is
 * visible: the live stream shows a message while the disk is still taking it.
 * A unit must not wait for another unit (it would wait for its own batch).
 * @example const id = await commitInGroup(db, async (tx) => { await tx.insertInto('t').values(row).execute(); return row.id; })
 */
export function commitInGroup<T>(db: Db, unit: WriteUnit<T>, committed?: OnCommitted<T>): Promise<T> {
  let queue = queues.get(db);
  if (!queue) queues.set(db, (queue = { pending: [], running: false }));
  const q = queue;
  return new Promise<T>((resolve, reject) => {
    q.pending.push({ unit, committed: committed as OnCommitted<unknown> | undefined, resolve: resolve as (value: unknown) => void, reject });
    if (!q.running) void drain(db, q);
  });
}

async function drain(db: Db, q: { pending: Pending[]; running: boolean }): Promise<void> {
  q.running = true;
  try {
    while (q.pending.length > 0) {
      // Let the event loop read sockets first: SQLite work never yields on its own, and units
      // that arrive meanwhile join this batch instead of waiting a whole batch behind it.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const batch = q.pending.splice(0, MAX_UNITS);
      const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
      const run = (on: Db) =>
        on.transaction().execute(async (tx) => {
          // A unit alone needs no savepoint (two statements fewer): if it throws, all rolls back.
          if (batch.length === 1) return void outcomes.push({ ok: true, value: await batch[0]!.unit(tx) });
          for (const item of batch) {
            await sql`savepoint unit`.execute(tx);
            try {
              outcomes.push({ ok: true, value: await item.unit(tx) });
            } catch (error) {
              await sql`rollback to unit`.execute(tx);
              outcomes.push({ ok: false, error });
            }
            await sql`release unit`.execute(tx);
          }
        });
      try {
        await (onTrackedConnection(db, 'by-caller', run) ?? run(db));
      } catch (error) {
        // The commit itself failed, or the batch's only unit threw: nothing of the batch is stored.
        for (const item of batch) item.reject(error);
        continue;
      }
      // Not awaited: the next group runs while this one's sync is under way.
      const onDisk = whenDurable(db);
      batch.forEach((item, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) {
          item.committed?.(outcome.value);
          onDisk.then(() => item.resolve(outcome.value), item.reject);
        } else {
          item.reject(outcome.error);
        }
      });
    }
  } finally {
    q.running = false;
  }
}
