/**
 * A LIKE pattern matching any text that contains `text` literally: `%`, `_` and `\` escaped
 * with a backslash. Use it with `escape '\'` (SQLite has no default escape character).
 * @example sql`${sql.ref('name')} like ${containing(q)} escape '\\'`
 */
export const containing = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
