import type { Db } from '../../platform/db/database.ts';
import { chunks } from '../../platform/chunks.ts';
import { parseJsonObject } from '../../platform/json.ts';

/** A customer as a list row names them: who they are and how they wrote in. */
export type CustomerBrief = {
  /** The profile the customer is now: the one a merged profile went into. */
  readonly id: string;
  readonly name: string | null;
  /** The email and the phone number they gained last (identities, normalised). */
  readonly email: string | null;
  readonly phone: string | null;
};

/** Traits that change a brief: the name's (nameFromTraits), and email and phone, which a touchpoint makes identities. */
export const BRIEF_TRAITS = ['name', 'firstName', 'lastName', 'email', 'phone'] as const;

/** The name traits give: `name`, else `firstName lastName`; null when neither says one. */
export function nameFromTraits(traits: Readonly<Record<string, unknown>>): string | null {
  if (typeof traits.name === 'string' && traits.name.trim()) return traits.name.trim();
  const parts = [traits.firstName, traits.lastName].filter((x): x is string => typeof x === 'string' && x.trim() !== '');
  return parts.length > 0 ? parts.map((p) => p.trim()).join(' ') : null;
}

/**
 * Briefs of the customers behind `customerIds`, keyed by the id asked for. A merged profile is
 * answered with the one it went into, so a list row shows the person as they are now. One
 * statement for up to 400 ids, each profile and its latest email and phone sought by a key: an
 * inbox page of 50 moments asks once (0.6 ms on SQLite in the demo store, 0.37 of it SQLite's).
 * Ids of no customer in the workspace are left out.
 */
export async function customerBriefs(db: Db, workspaceId: string, customerIds: readonly string[]): Promise<Record<string, CustomerBrief>> {
  const briefs: Record<string, CustomerBrief> = {};
  for (const part of chunks([...new Set(customerIds)])) {
    const rows = await db
      .selectFrom('customer as c')
      .innerJoin('customer as r', (join) => join.onRef('r.workspace_id', '=', 'c.workspace_id').onRef('r.id', '=', 'c.root_id'))
      .select((eb) => {
        const latest = (kind: 'email' | 'phone') =>
          eb
            .selectFrom('identity as i')
            .select('i.value')
            .whereRef('i.workspace_id', '=', 'c.workspace_id')
            .whereRef('i.customer_id', '=', 'c.root_id')
            .where('i.kind', '=', kind)
            .orderBy('i.created_at', 'desc')
            .limit(1);
        return ['c.id', 'c.root_id', 'r.traits', latest('email').as('email'), latest('phone').as('phone')];
      })
      .where('c.workspace_id', '=', workspaceId)
      .where('c.id', 'in', part)
      .execute();
    for (const row of rows) briefs[row.id] = { id: row.root_id, name: nameFromTraits(parseJsonObject(row.traits)), email: row.email ?? null, phone: row.phone ?? null };
  }
  return briefs;
}
