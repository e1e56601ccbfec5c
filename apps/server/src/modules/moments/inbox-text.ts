import { sql, type SqlBool } from 'kysely';
import type { Db, Tx } from '../../platform/db/database.ts';
import { foldedContains } from '../../platform/db/like-pattern.ts';
import { ftsPhrase, indexable, INDEXED_MATCHES } from '../../platform/db/text-index.ts';
import { unindexedText } from '../../platform/db/unindexed.ts';

/** Texts the ingest thread indexes per transaction (one FTS5 segment). */
const INDEX_BATCH = 2_000;

/**
 * SQLite: the workspace's moments whose subject or one of whose messages holds `q` (any case):
 * from the trigram index (migration 1000) for what the ingest thread has indexed, and by reading
 * the few texts written since. Null when the index cannot answer: fewer than three characters,
 * or more than INDEXED_MATCHES texts match (the caller then reads moments newest first).
 * @example const ids = await momentsWithText(db, workspaceId, 'refund') // ['…'] or null
 */
export async function momentsWithText(db: Db, workspaceId: string, q: string): Promise<string[] | null> {
  if (!indexable(q)) return null;
  const upTo = await indexedUpTo(db);
  const indexed = await texts(db)
    .innerJoin('inbox_text', 'inbox_text.rowid', 'k.key')
    .where(sql<SqlBool>`inbox_text match ${ftsPhrase(q)}`)
    .where('k.workspace_id', '=', workspaceId)
    .limit(INDEXED_MATCHES + 1)
    .execute();
  if (indexed.length > INDEXED_MATCHES) return null;
  // Written since the ingest thread last indexed (about a second's worth): read as they are,
  // found by key (the workspace's key index would lead SQLite through all its texts).
  const recent = await texts(db)
    .where('k.key', '>', upTo)
    .where(unindexedText('k.workspace_id'), '=', workspaceId)
    .where((eb) => eb.or([foldedContains('m.body', q), foldedContains('mo.subject', q)]))
    .execute();
  return [...new Set([...indexed, ...recent].map((t) => t.moment_id).filter((id): id is string => id !== null))];
}

/**
 * SQLite, on the ingest thread: adds the texts written since the last call to the index, a
 * batch in one transaction. Returns whether more wait.
 */
export async function indexInboxText(db: Db): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const upTo = await indexedUpTo(tx);
    const batch = await texts(tx).select(['k.key', 'm.body', 'mo.subject']).where('k.key', '>', upTo).orderBy('k.key').limit(INDEX_BATCH).execute();
    if (batch.length === 0) return false;
    for (let i = 0; i < batch.length; i += 200) {
      await tx
        .insertInto('inbox_text')
        .values(batch.slice(i, i + 200).map((t) => ({ rowid: t.key, body: t.body ?? t.subject ?? '' })))
        .execute();
    }
    await tx.updateTable('inbox_text_indexed').set({ up_to: batch.at(-1)!.key }).where('id', '=', 1).execute();
    return batch.length === INDEX_BATCH;
  });
}

/**
 * SQLite: takes texts out of the index (the index keeps its own copy of each): an unsent
 * message's, and the subject it made. A text not indexed yet needs nothing: the ingest thread
 * indexes what the row holds by then.
 */
export async function forgetInboxText(tx: Tx, workspaceId: string, refs: readonly { readonly kind: 'message' | 'subject'; readonly refId: string }[]): Promise<void> {
  for (const ref of refs) {
    const key = await tx.selectFrom('inbox_text_key').select('key').where('workspace_id', '=', workspaceId).where('kind', '=', ref.kind).where('ref_id', '=', ref.refId).executeTakeFirst();
    if (key) await tx.deleteFrom('inbox_text').where('rowid', '=', key.key).execute();
  }
}

/** SQLite: how many texts wait for the ingest thread to index them (the metric touchpoint_inbox_text_unindexed). */
export async function unindexedInboxTexts(db: Db): Promise<number> {
  const upTo = await indexedUpTo(db);
  const row = await db.selectFrom('inbox_text_key').select((eb) => eb.fn.countAll<number>().as('n')).where('key', '>', upTo).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Each text's key with the moment it belongs to now (a merge moves messages) and its words. */
function texts(db: Db | Tx) {
  return db
    .selectFrom('inbox_text_key as k')
    .leftJoin('message as m', (j) => j.on('k.kind', '=', 'message').onRef('m.workspace_id', '=', 'k.workspace_id').onRef('m.id', '=', 'k.ref_id'))
    .leftJoin('moment as mo', (j) => j.on('k.kind', '=', 'subject').onRef('mo.workspace_id', '=', 'k.workspace_id').onRef('mo.id', '=', 'k.ref_id'))
    .select((eb) => eb.fn.coalesce('m.moment_id', 'mo.id').as('moment_id'));
}

async function indexedUpTo(db: Db | Tx): Promise<number> {
  return (await db.selectFrom('inbox_text_indexed').select('up_to').where('id', '=', 1).executeTakeFirstOrThrow()).up_to;
}
