import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * unicode_lower folds as foldCase (like-pattern.ts) does: PostgreSQL's lower() makes every Σ a
 * σ, JavaScript a word-final one ς, so search text folded in JavaScript missed it. Both now
 * write σ. SQLite defines the function in JavaScript when a connection opens.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`create or replace function unicode_lower(text) returns text language sql immutable strict parallel safe as $$ select replace(lower($1), 'ς', 'σ') $$`.execute(db);
}
