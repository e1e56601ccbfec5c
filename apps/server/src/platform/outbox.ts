import type { Clock } from './clock.ts';
import type { Db, Tx } from './db/database.ts';
import type { Ids } from './ids.ts';
import { compiledOnce } from './db/compiled-once.ts';
import type { Insertable } from 'kysely';
import type { OutboxTable } from './db/tables.ts';

/**
 * A domain event on its way to listeners. Written in the same transaction as the change it
 * describes, so a committed change always gets its event and a rolled-back one never does.
 * Topics are `noun.past_tense` and listed in each module's `<m>.events.ts`.
 */
export type OutboxEvent = {
  readonly workspaceId: string;
  readonly topic: string;
  readonly payload: Readonly<Record<string, unknown>>;
};

/** @example await writeOutbox(tx, deps, [{ workspaceId, topic: 'customer.merged', payload }]) */
export async function writeOutbox(
  tx: Tx,
  deps: { readonly ids: Ids; readonly clock: Clock },
  events: readonly OutboxEvent[],
): Promise<void> {
  if (events.length === 0) return;
  const now = deps.clock.now();
  const rows = events.map((e) => ({ workspace_id: e.workspaceId, id: deps.ids.next(), topic: e.topic, payload: JSON.stringify(e.payload), created_at: now, attempts: 0, available_at: now, processed_at: null, last_error: null }));
  // One event is the usual case (each moment write's timeline lines): its insert is compiled once.
  if (rows.length === 1) await insertOutboxRow(tx, rows[0]!);
  else await tx.insertInto('outbox').values(rows).execute();
}

const insertOutboxRow = compiledOnce((db, row: Insertable<OutboxTable>) => db.insertInto('outbox').values(row));

/** Events not yet delivered, by topic, with when the oldest was written: the worker's backlog. */
export async function outboxBacklog(db: Db): Promise<{ readonly topic: string; readonly pending: number; readonly oldestAt: number }[]> {
  const rows = await db
    .selectFrom('outbox')
    .select((eb) => ['topic', eb.fn.countAll<number | string>().as('pending'), eb.fn.min('created_at').as('oldest')])
    .where('processed_at', 'is', null)
    .groupBy('topic')
    .execute();
  return rows.map((r) => ({ topic: r.topic, pending: Number(r.pending), oldestAt: Number(r.oldest) }));
}
