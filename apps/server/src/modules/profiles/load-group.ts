import { chunks } from '../../platform/chunks.ts';
import type { Engine, Tx } from '../../platform/db/database.ts';
import type { WorkspaceSettings } from '../workspaces/index.ts';
import { findCustomers, findIdentities, storedMessageIds } from './lookups.ts';
import type { ProfileCache } from './profile-cache.ts';
import type { NormalizedIdentity } from './normalize-identity.ts';
import { stateFromRow, type ProfileState } from './profile-state.ts';
import { extractIdentities, type Touchpoint } from './touchpoint.ts';

/** Where an identity points now: its root profile, and the profile it first joined. */
export type Hit = { readonly root: string; readonly profile: string };

/** A touchpoint not stored before, with its identifiers in the workspace's priority order. */
export type FreshTouchpoint = {
  readonly tp: Touchpoint;
  /** Its index in the group. */
  readonly i: number;
  identities: readonly NormalizedIdentity[];
  readonly rejected: ReturnType<typeof extractIdentities>['rejected'];
};

/** What resolution needs from the database, read in a handful of set-based queries. */
export type LoadedGroup = {
  readonly fresh: readonly FreshTouchpoint[];
  /** By identityKey(kind, value). Resolution adds the identities it attaches. */
  readonly hits: Map<string, Hit>;
  /** Root profiles the group's identities point at. Resolution adds the ones it creates. */
  readonly profiles: Map<string, ProfileState>;
};

export const identityKey = (kind: string, value: string): string => `${kind}\u0000${value}`;

/**
 * Reads what a group of touchpoints needs: which messageIds are stored already, the
 * identities they mention, the profiles those point at, and identity counts of the profiles
 * where a limit may apply.
 */
export async function loadGroup(
  tx: Tx,
  engine: Engine,
  workspaceId: string,
  settings: WorkspaceSettings,
  touchpoints: readonly Touchpoint[],
  cache?: ProfileCache,
): Promise<LoadedGroup> {
  const priority = settings.identity.priority;
  const rank = (kind: string) => {
    const i = priority.indexOf(kind);
    return i === -1 ? priority.length : i;
  };

  // 1. Duplicates: within the group (first wins), then against what is stored.
  const firstIndex = new Map<string, number>();
  touchpoints.forEach((tp, i) => {
    if (!firstIndex.has(tp.messageId)) firstIndex.set(tp.messageId, i);
  });
  const stored = await storedMessageIds(tx, engine, workspaceId, [...firstIndex.keys()]);
  const fresh: FreshTouchpoint[] = touchpoints
    .map((tp, i) => ({ tp, i }))
    .filter(({ tp, i }) => firstIndex.get(tp.messageId) === i && !stored.has(tp.messageId))
    .map(({ tp, i }) => {
      const { identities, rejected } = extractIdentities(tp, settings.defaultCountry);
      const ordered = [...identities].sort((a, b) => rank(a.kind) - rank(b.kind));
      return { tp, i, identities: ordered, rejected };
    });

  // 2. Load every identity the group mentions; an alias's previousId may be a user id.
  const wanted = new Map<string, Set<string>>();
  const want = (kind: string, value: string) => {
    let set = wanted.get(kind);
    if (!set) wanted.set(kind, (set = new Set()));
    set.add(value);
  };
  for (const f of fresh) {
    for (const id of f.identities) want(id.kind, id.value);
    if (f.tp.previousId !== null) want('user_id', f.tp.previousId.trim());
  }
  const hits = new Map<string, Hit>();
  for (const [kind, values] of wanted) {
    const unknown: string[] = [];
    for (const value of values) {
      const hit = cache?.identity(workspaceId, kind, value);
      if (hit) hits.set(identityKey(kind, value), hit);
      else unknown.push(value);
    }
    for (const r of await findIdentities(tx, engine, workspaceId, kind, unknown)) {
      const hit = { root: r.customer_id, profile: r.profile_id };
      hits.set(identityKey(kind, r.value), hit);
      cache?.putIdentity(workspaceId, kind, r.value, hit);
    }
  }
  // An alias whose previousId is a user id links through that identity instead: one stored
  // already, or one an earlier call of this group brings (a batch behaves as separate requests).
  const earlier = new Set<string>();
  for (const f of fresh) {
    const prev = f.tp.previousId?.trim();
    if (prev !== undefined && isUserId(prev, hits, earlier)) {
      f.identities = f.identities.map((id) => (id.kind === 'anonymous_id' && id.value === prev && id.value !== f.tp.anonymousId ? { kind: 'user_id', value: prev } : id));
    }
    for (const id of f.identities) earlier.add(identityKey(id.kind, id.value));
  }

  // 3. Load the profiles those identities point at, and identity counts where limits matter.
  const profiles = new Map<string, ProfileState>();
  const unread: string[] = [];
  for (const id of new Set([...hits.values()].map((h) => h.root))) {
    const row = cache?.customer(workspaceId, id);
    if (row) profiles.set(id, stateFromRow(row));
    else unread.push(id);
  }
  for (const r of await findCustomers(tx, engine, workspaceId, unread)) {
    profiles.set(r.id, stateFromRow(r));
    cache?.putCustomer(r);
  }
  const needCounts = new Set<string>();
  for (const f of fresh) {
    const roots = new Set<string>();
    let unknown = false;
    for (const id of f.identities) {
      const hit = hits.get(identityKey(id.kind, id.value));
      if (hit) roots.add(hit.root);
      else unknown = true;
    }
    if (unknown || roots.size > 1) for (const r of roots) needCounts.add(r);
  }
  await loadCounts(tx, workspaceId, [...needCounts], profiles);

  return { fresh, hits, profiles };
}

/** Whether `value` names a user id, stored or `earlier` in the group, and no anonymous id. */
function isUserId(value: string, hits: ReadonlyMap<string, Hit>, earlier: ReadonlySet<string>): boolean {
  const known = (kind: string) => hits.has(identityKey(kind, value)) || earlier.has(identityKey(kind, value));
  return known('user_id') && !known('anonymous_id');
}

/** Fills in how many identities of each kind the given profiles hold. */
export async function loadCounts(tx: Tx, workspaceId: string, ids: readonly string[], profiles: Map<string, ProfileState>): Promise<void> {
  for (const part of chunks(ids)) {
    // Counted here, not by GROUP BY: SQLite would answer the grouping by walking every identity
    // of the workspace in primary-key order (80 ms at 100,000 identities) instead of seeking
    // these profiles' few by identity_by_customer (0.01 ms).
    const rows = await tx.selectFrom('identity').select(['customer_id', 'kind']).where('workspace_id', '=', workspaceId).where('customer_id', 'in', part).execute();
    for (const id of part) {
      const p = profiles.get(id);
      if (p && !p.kindCounts) p.kindCounts = new Map();
    }
    for (const r of rows) {
      const counts = profiles.get(r.customer_id)?.kindCounts;
      counts?.set(r.kind, (counts.get(r.kind) ?? 0) + 1);
    }
  }
}
