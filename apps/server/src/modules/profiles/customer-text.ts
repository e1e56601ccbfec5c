import { sql, type SqlBool } from 'kysely';
import type { Db } from '../../platform/db/database.ts';
import { ftsPhrase, indexable, INDEXED_MATCHES } from '../../platform/db/text-index.ts';
import type { TraitFilterValue } from './trait-filter-value.ts';

/**
 * SQLite: the workspace's customers whose traits contain `q`, or each of its words (any case), from the trigram index
 * (migration 0800). Null when the index cannot answer, for fewer than three characters, or
 * when more than INDEXED_MATCHES match: the caller then reads customers newest first.
 * @example const ids = await customersWithText(db, workspaceId, 'müller') // ['…'] or null
 */
export async function customersWithText(db: Db, workspaceId: string, q: string): Promise<string[] | null> {
  const words = wordsOf(q);
  if (!indexable(q) || !words.every(indexable)) return null;
  // The text as it is, or every word of it (a name held as firstName and lastName).
  return customersMatching(db, workspaceId, words.length < 2 ? ftsPhrase(q) : `${ftsPhrase(q)} OR (${words.map(ftsPhrase).join(' AND ')})`);
}

/** The words of a search, split at white space. */
export const wordsOf = (q: string): string[] => q.split(/\s+/).filter(Boolean);

/**
 * SQLite: the workspace's customers whose traits may hold `key` matching `wanted`, from the same
 * index. A superset: the caller keeps the condition that decides. Traits are stored as
 * JSON.stringify writes them, and so are `wanted.literals` (a number in its one spelling, `30`
 * for `3e1`), so a match is there as `"key":literal`, or, for an element of an array, as
 * `"key":[` and the literal between `[` or `,` and `,` or `]` (each piece three characters or
 * more, as the trigram index needs). Null, as above.
 * @example const ids = await customersWithTrait(db, workspaceId, 'plan', traitFilterValue('enterprise'))
 */
export async function customersWithTrait(db: Db, workspaceId: string, key: string, wanted: TraitFilterValue): Promise<string[] | null> {
  const name = `${JSON.stringify(key)}:`;
  const scalars = wanted.literals.map((literal) => ftsPhrase(name + literal));
  const elements = wanted.literals.flatMap((literal) => ['[', ','].flatMap((before) => [',', ']'].map((after) => ftsPhrase(before + literal + after))));
  return customersMatching(db, workspaceId, `${scalars.join(' OR ')} OR (${ftsPhrase(`${name}[`)} AND (${elements.join(' OR ')}))`);
}

async function customersMatching(db: Db, workspaceId: string, match: string): Promise<string[] | null> {
  const rows = await db
    .selectFrom('customer_text')
    .innerJoin('customer_text_key as k', 'k.key', 'customer_text.rowid')
    .select('k.customer_id')
    .where(sql<SqlBool>`customer_text match ${match}`)
    .where('k.workspace_id', '=', workspaceId)
    .limit(INDEXED_MATCHES + 1)
    .execute();
  return rows.length > INDEXED_MATCHES ? null : rows.map((r) => r.customer_id);
}
