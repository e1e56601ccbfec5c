import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * Text search folds case with unicode_lower() where the text has non-ASCII letters (see
 * foldedContains in like-pattern.ts). SQLite connections define it in JavaScript when they
 * open; PostgreSQL's lower() already folds by the database's locale, so it is that.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`create function unicode_lower(text) returns text language sql immutable strict parallel safe as $$ select lower($1) $$`.execute(db);
}
