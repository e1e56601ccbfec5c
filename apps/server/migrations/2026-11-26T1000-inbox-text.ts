import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * SQLite: a trigram full-text index of what the inbox search reads (each message's body and
 * each moment's subject), so a search for a word few conversations hold finds them by index
 * instead of reading every active moment's messages (136 ms over 40,000 for a word nobody wrote).
 *
 * - `inbox_text` is a contentless FTS5 table, merged by the ingest thread rather than on write,
 *   as `customer_text` (migration 0800); `inbox_text_key` gives each text a key that VACUUM
 *   never renumbers and that is never used twice (AUTOINCREMENT): keys only grow, so every key
 *   past `up_to` is one not indexed yet.
 * - Writing a message costs one key row in its transaction, on the server's thread. The index
 *   itself is written by the ingest thread, a batch at a time (one FTS5 segment per batch instead
 *   of one per message: 95–420 µs a message, by body length, on the server's thread).
 *   `inbox_text_indexed.up_to` is the last key indexed; a search reads the keys after it
 *   (the last second's texts) the old way, so it never misses one.
 * - Triggers keep the keys for every writer: a new text gets a key; a changed one a new key
 *   (the index forgets the old); a deleted one loses both.
 *
 * PostgreSQL runs the search off the event loop already; it keeps the LIKE.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) return;
  const forget = (kind: string, row: string) =>
    `delete from inbox_text where rowid = (select key from inbox_text_key where workspace_id = ${row}.workspace_id and kind = '${kind}' and ref_id = ${row}.id and key <= (select up_to from inbox_text_indexed));
     delete from inbox_text_key where workspace_id = ${row}.workspace_id and kind = '${kind}' and ref_id = ${row}.id;`;
  const key = (kind: string) => `insert into inbox_text_key (workspace_id, kind, ref_id) values (new.workspace_id, '${kind}', new.id);`;
  for (const statement of [
    'create table inbox_text_key (key integer primary key autoincrement, workspace_id text not null, kind text not null, ref_id text not null)',
    'create unique index inbox_text_key_by_ref on inbox_text_key (workspace_id, kind, ref_id)',
    "create virtual table inbox_text using fts5(body, tokenize = 'trigram', content = '', contentless_delete = 1)",
    "insert into inbox_text (inbox_text, rank) values ('automerge', 0)",
    'create table inbox_text_indexed (id integer primary key check (id = 1), up_to integer not null)',
    'insert into inbox_text_indexed (id, up_to) values (1, 0)',
    // What is stored already waits its turn like anything new.
    "insert into inbox_text_key (workspace_id, kind, ref_id) select workspace_id, 'subject', id from moment",
    "insert into inbox_text_key (workspace_id, kind, ref_id) select workspace_id, 'message', id from message",
    `create trigger inbox_text_message_insert after insert on message begin ${key('message')} end`,
    `create trigger inbox_text_message_update after update of body on message when new.body is not old.body begin ${forget('message', 'old')} ${key('message')} end`,
    `create trigger inbox_text_message_delete after delete on message begin ${forget('message', 'old')} end`,
    `create trigger inbox_text_subject_insert after insert on moment begin ${key('subject')} end`,
    `create trigger inbox_text_subject_update after update of subject on moment when new.subject is not old.subject begin ${forget('subject', 'old')} ${key('subject')} end`,
    `create trigger inbox_text_subject_delete after delete on moment begin ${forget('subject', 'old')} end`,
  ]) {
    await sql.raw(statement).execute(db);
  }
}
