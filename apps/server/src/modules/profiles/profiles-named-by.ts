import type { Db, Engine } from '../../platform/db/database.ts';
import { foldedContains } from '../../platform/db/like-pattern.ts';
import { indexable } from '../../platform/db/text-index.ts';
import { customersWithText } from './customer-text.ts';
import { customersHolding } from './profiles.queries.ts';

/** Most customers a text may name; a text more of them share says too little about who is meant. */
export const MOST_NAMED = 200;

/**
 * The profiles a text names, for a list filtered by who it is about: customers holding it as an
 * identity (an email in any case, a phone number as stored, a user id) and, from three
 * characters, customers whose traits contain it (a name, a company). Each comes with every
 * profile merged with it, since a moment keeps the profile it was opened for. Only identities
 * when the traits of more than MOST_NAMED customers hold the text.
 * @example await profilesNamedBy(db, 'sqlite', workspaceId, 'ann lee') // ['…', '…']
 */
export async function profilesNamedBy(db: Db, engine: Engine, workspaceId: string, text: string): Promise<string[]> {
  const q = text.trim();
  if (!q) return [];
  const [byIdentity, byTraits] = await Promise.all([
    customersHolding(db, workspaceId, [q]).execute(),
    customersWithTraitText(db, engine, workspaceId, q),
  ]);
  const named = [...new Set([...byIdentity.map((r) => r.customer_id), ...(byTraits !== null && byTraits.length <= MOST_NAMED ? byTraits : [])])];
  if (named.length === 0) return [];
  const rows = await db
    .selectFrom('customer')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('root_id', 'in', (eb) => eb.selectFrom('customer').select('root_id').where('workspace_id', '=', workspaceId).where('id', 'in', named))
    .execute();
  return rows.map((r) => r.id);
}

/** Customers whose traits contain `q`: SQLite's text index, PostgreSQL's scan (stopping past MOST_NAMED). Null: too many to say. */
async function customersWithTraitText(db: Db, engine: Engine, workspaceId: string, q: string): Promise<string[] | null> {
  if (!indexable(q)) return [];
  if (engine === 'sqlite') return customersWithText(db, workspaceId, q);
  const rows = await db.selectFrom('customer').select('id').where('workspace_id', '=', workspaceId).where(foldedContains('traits', q)).limit(MOST_NAMED + 1).execute();
  return rows.map((r) => r.id);
}
