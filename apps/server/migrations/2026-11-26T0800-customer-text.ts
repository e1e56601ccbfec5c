import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * SQLite: a trigram full-text index over each customer's traits, so a search for a word few
 * customers have finds them by index instead of reading every customer until a page fills
 * (about 38 ms over 50,000 customers for a word nobody wrote).
 *
 * - `customer_text` is a contentless FTS5 table (the text lives in `customer.traits` already)
 *   that can still delete rows (`contentless_delete`). Its trigram tokenizer matches any
 *   substring of three characters or more, folding case beyond ASCII, as the LIKE it replaces.
 * - Its rowids come from `customer_text_key`, whose INTEGER PRIMARY KEY never changes: the
 *   customer table's own rowids may be renumbered by VACUUM, which would point the index at
 *   the wrong people.
 * - Triggers keep it true for every writer: a new customer is indexed, a change of traits
 *   re-indexed (only a real change: ingest rewrites the same traits on most events), a deleted
 *   customer dropped.
 * - FTS5 merges its segments as it writes (automerge) by default: that made each change of
 *   traits cost 140–190 µs, most of it merging the same pages again. With automerge off it costs
 *   15–20 µs, and the ingest thread merges a little every second (mergeTextIndexStep).
 *
 * PostgreSQL runs searches off the event loop already; it keeps the LIKE.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) return;
  const keyOf = (row: 'new' | 'old') => `(select key from customer_text_key where workspace_id = ${row}.workspace_id and customer_id = ${row}.id)`;
  for (const statement of [
    'create table customer_text_key (key integer primary key, workspace_id text not null, customer_id text not null)',
    'create unique index customer_text_key_by_customer on customer_text_key (workspace_id, customer_id)',
    "create virtual table customer_text using fts5(body, tokenize = 'trigram', content = '', contentless_delete = 1)",
    "insert into customer_text (customer_text, rank) values ('automerge', 0)",
    'insert into customer_text_key (workspace_id, customer_id) select workspace_id, id from customer',
    'insert into customer_text (rowid, body) select k.key, c.traits from customer_text_key k join customer c on c.workspace_id = k.workspace_id and c.id = k.customer_id',
    `create trigger customer_text_insert after insert on customer begin
       insert into customer_text_key (workspace_id, customer_id) values (new.workspace_id, new.id);
       insert into customer_text (rowid, body) values (last_insert_rowid(), new.traits);
     end`,
    `create trigger customer_text_update after update of traits on customer when new.traits is not old.traits begin
       delete from customer_text where rowid = ${keyOf('old')};
       insert into customer_text (rowid, body) values (${keyOf('new')}, new.traits);
     end`,
    `create trigger customer_text_delete after delete on customer begin
       delete from customer_text where rowid = ${keyOf('old')};
       delete from customer_text_key where workspace_id = old.workspace_id and customer_id = old.id;
     end`,
  ]) {
    await sql.raw(statement).execute(db);
  }
}
