import { sql, type RawBuilder, type SqlBool } from 'kysely';

/**
 * A LIKE pattern matching any text that contains `text` literally: `%`, `_` and `\` escaped
 * with a backslash. Use it with `escape '\'` (SQLite has no default escape character).
 * @example sql`${sql.ref('name')} like ${containing(q)} escape '\\'`
 */
export const containing = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * `column` contains `text`, whatever the case of either, on both engines. `text` is lower-cased
 * here (the Unicode way) and the column by the database. SQLite's own lower() folds ASCII
 * only, so "müller" would miss "MÜLLER": text with other letters goes through unicode_lower,
 * a JavaScript function on SQLite connections (database.ts) and lower() on PostgreSQL
 * (migration 0600). ASCII text keeps the native lower(), several times cheaper per row, and
 * equivalent there: a match of ASCII text can only be ASCII letters, which both fold alike.
 */
export function foldedContains(column: string, text: string): RawBuilder<SqlBool> {
  const lowered = text.toLowerCase();
  const fold = /^[\x00-\x7f]*$/.test(lowered) ? sql`lower` : sql`unicode_lower`;
  return sql<SqlBool>`${fold}(${sql.ref(column)}) like ${containing(lowered)} escape '\\'`;
}
