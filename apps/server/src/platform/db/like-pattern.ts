import { sql, type RawBuilder, type SqlBool } from 'kysely';

/**
 * A LIKE pattern matching any text that contains `text` literally: `%`, `_` and `\` escaped
 * with a backslash. Use it with `escape '\'` (SQLite has no default escape character).
 * @example sql`${sql.ref('name')} like ${containing(q)} escape '\\'`
 */
export const containing = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Text lower-cased for comparison, the same way on both engines: JavaScript's toLowerCase,
 * with the Greek final sigma (ς, which it makes of a word-final Σ) as σ, since PostgreSQL's
 * lower() makes every Σ a σ. Without that, "ΟΔΥΣΣΕΑΣ" looked for "οδυσσεας" spelled with ς in
 * text PostgreSQL had folded to σ, and found nothing. The database side is unicode_lower
 * (database.ts, read-thread-worker.js; on PostgreSQL migration 2026-11-28T0300).
 * @example foldCase('ΟΔΥΣΣΕΑΣ') // 'οδυσσεασ'
 */
export const foldCase = (text: string): string => text.toLowerCase().replaceAll('ς', 'σ');

/**
 * `column` contains `text`, whatever the case of either, on both engines. `text` is folded
 * here (foldCase) and the column by the database. SQLite's own lower() folds ASCII only, so
 * "müller" would miss "MÜLLER": text with other letters goes through unicode_lower, a
 * JavaScript function on SQLite connections (database.ts) and SQL on PostgreSQL (migrations
 * 0600, 2026-11-28T0300). ASCII text keeps the native lower(), several times cheaper per
 * row, and equivalent there: a match of ASCII text can only be ASCII letters, which both fold alike.
 */
export function foldedContains(column: string, text: string): RawBuilder<SqlBool> {
  const lowered = foldCase(text);
  const fold = /^[\x00-\x7f]*$/.test(lowered) ? sql`lower` : sql`unicode_lower`;
  return sql<SqlBool>`${fold}(${sql.ref(column)}) like ${containing(lowered)} escape '\\'`;
}
