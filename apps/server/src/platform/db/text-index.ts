import { sql } from 'kysely';
import type { Db } from './database.ts';

/** SQLite's FTS5 trigram indexes (migrations 0800 and 1000): customers' traits, the inbox's texts. */
export type TextIndex = 'customer_text' | 'inbox_text';

/**
 * Most rows a search takes from a text index. A word more rows share is left to the caller's
 * other way (reading rows newest first), which fills a page sooner than sorting thousands.
 */
export const INDEXED_MATCHES = 1_000;

/** Whether a trigram index can find `text`: it needs three characters or more. */
export const indexable = (text: string): boolean => [...text].length >= 3;

/** Pages of an index merged per step: about 7 ms of the ingest thread. */
const MERGE_PAGES = 100;

/**
 * An FTS5 phrase matching `text` as it is, anywhere (trigram: three characters or more), in
 * any case: the text in double quotes, a double quote in it written twice.
 * @example sql`customer_text match ${ftsPhrase('Müller')}`
 */
export const ftsPhrase = (text: string): string => `"${text.replaceAll('"', '""')}"`;

/**
 * One step of merging a text index's segments. The indexes do not merge as they are written
 * (that made each write cost ten times more), so every transaction that writes one leaves a
 * small segment; merged, a search reads a few large ones (0.1 ms instead of 1–10 ms). Returns
 * whether there was work: call again then. The ingest thread runs it between commits.
 * @example while (await mergeTextIndexStep(db, 'customer_text')) {}
 */
export async function mergeTextIndexStep(db: Db, index: TextIndex): Promise<boolean> {
  const changes = async () => (await sql<{ n: number }>`select total_changes() as n`.execute(db)).rows[0]?.n ?? 0;
  const before = await changes();
  await sql`insert into ${sql.table(index)} (${sql.ref(index)}, rank) values ('merge', ${MERGE_PAGES})`.execute(db);
  // FTS5's own test: a step that wrote fewer than two rows found nothing left to merge.
  return (await changes()) - before >= 2;
}
