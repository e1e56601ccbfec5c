import { sql } from 'kysely';
import type { Deps } from '../../platform/deps.ts';
import type { Tx } from '../../platform/db/database.ts';
import type { EventTable, IdentityConflictTable, IdentityTable, MergeTable } from '../../platform/db/tables.ts';
import { writeOutbox, type OutboxEvent } from '../../platform/outbox.ts';
import type { WorkspaceSettings } from '../workspaces/index.ts';
import type { NormalizedIdentity } from './normalize-identity.ts';
import { applyTouchpoint, foldInto, newState, refreshStage, rowFromState, stateFromRow, type ProfileState } from './profile-state.ts';
import { extractIdentities, type Touchpoint } from './touchpoint.ts';
import { PROFILE_EVENTS } from './profiles.events.ts';
import { moveProfile } from './move-profile.ts';
import { insertEvents } from './insert-events.ts';
import { findIdentities, storedMessageIds } from './lookups.ts';

export type RecordOutcome = {
  /** Per touchpoint, in input order: the profile it landed on, or null when it was a duplicate. */
  readonly customerIds: readonly (string | null)[];
  readonly stored: number;
  readonly duplicates: number;
  readonly created: number;
  readonly merged: number;
  readonly conflicts: number;
};

const CHUNK = 400;
const IDENTIFYING_KINDS = new Set(['user_id', 'email', 'phone', 'external_id']);

type Hit = { root: string; profile: string };
const keyOf = (kind: string, value: string) => `${kind}\u0000${value}`;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Records a group of touchpoints of one workspace inside the caller's transaction: drops
 * duplicates by messageId, resolves each to one profile (creating, extending and merging
 * profiles under the workspace's guard rails), stores the events, and updates profiles.
 *
 * Set-based on purpose: a group costs a handful of statements whatever its size, which is
 * what lets group commit turn many small requests into one cheap transaction.
 * The caller must serialise writers of a workspace (one queue per process; on PostgreSQL an
 * advisory lock), because resolution reads, decides in memory, then writes.
 */
export async function recordTouchpoints(
  tx: Tx,
  deps: Pick<Deps, 'ids' | 'clock' | 'engine'>,
  workspaceId: string,
  settings: WorkspaceSettings,
  touchpoints: readonly Touchpoint[],
): Promise<RecordOutcome> {
  const now = deps.clock.now();
  const rules = settings.lifecycle;
  const limits = settings.identity.limits;
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
  const stored = await storedMessageIds(tx, deps.engine, workspaceId, [...firstIndex.keys()]);
  const fresh = touchpoints
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
    for (const r of await findIdentities(tx, deps.engine, workspaceId, kind, [...values])) hits.set(keyOf(kind, r.value), { root: r.customer_id, profile: r.profile_id });
  }
  // An alias whose previousId is a known user id links through that identity instead.
  for (const f of fresh) {
    if (f.tp.previousId === null) continue;
    const prev = f.tp.previousId.trim();
    if (hits.has(keyOf('user_id', prev)) && !hits.has(keyOf('anonymous_id', prev))) {
      f.identities = f.identities.map((id) => (id.kind === 'anonymous_id' && id.value === prev && id.value !== f.tp.anonymousId ? { kind: 'user_id', value: prev } : id));
    }
  }

  // 3. Load the profiles those identities point at, and identity counts where limits matter.
  const profiles = new Map<string, ProfileState>();
  const rootIds = [...new Set([...hits.values()].map((h) => h.root))];
  for (const part of chunks(rootIds)) {
    const rows = await tx.selectFrom('customer').selectAll().where('workspace_id', '=', workspaceId).where('id', 'in', part).execute();
    for (const r of rows) profiles.set(r.id, stateFromRow(r));
  }
  const needCounts = new Set<string>();
  for (const f of fresh) {
    const roots = new Set<string>();
    let unknown = false;
    for (const id of f.identities) {
      const hit = hits.get(keyOf(id.kind, id.value));
      if (hit) roots.add(hit.root);
      else unknown = true;
    }
    if (unknown || roots.size > 1) for (const r of roots) needCounts.add(r);
  }
  await loadCounts(tx, workspaceId, [...needCounts], profiles);

  // 4. Resolve each touchpoint in order, in memory.
  const parent = new Map<string, string>(); // absorbed root → survivor (union-find)
  const find = (id: string): string => {
    let cur = id;
    for (let next = parent.get(cur); next !== undefined; next = parent.get(cur)) cur = next;
    return cur;
  };
  const newIdentities: IdentityTable[] = [];
  const events: (EventTable & { readonly atomRoot: string })[] = [];
  const merges: MergeTable[] = [];
  const conflicts: (Omit<IdentityConflictTable, 'customer_id'> & { readonly profile: ProfileState })[] = [];
  const outbox: OutboxEvent[] = [];
  const customerIds: (string | null)[] = touchpoints.map(() => null);
  let created = 0;

  const limitOf = (kind: string) => limits[kind] ?? 10;
  const total = (s: ProfileState) => [...(s.kindCounts ?? new Map<string, number>()).values()].reduce((a, b) => a + b, 0);
  const canHoldTogether = (a: Map<string, number>, b: Map<string, number>) => {
    for (const [kind, n] of b) if ((a.get(kind) ?? 0) + n > limitOf(kind)) return `would give one profile more than ${limitOf(kind)} ${kind}`;
    let sum = 0;
    for (const n of a.values()) sum += n;
    for (const n of b.values()) sum += n;
    return sum > settings.identity.maxIdentitiesPerProfile ? `would exceed ${settings.identity.maxIdentitiesPerProfile} identities` : null;
  };
  const ensureCounts = async (s: ProfileState) => {
    if (!s.kindCounts) await loadCounts(tx, workspaceId, [s.id], profiles);
    return s.kindCounts ?? new Map<string, number>();
  };

  for (const f of fresh) {
    const { tp } = f;
    let target: ProfileState | null = null;
    let atom: string | null = null;
    // Identifiers seen for the first time, kept until we know whose they are.
    const pending: NormalizedIdentity[] = [];
    const pendingCounts = new Map<string, number>();
    const conflict = (id: NormalizedIdentity, reason: string) =>
      conflicts.push({ workspace_id: workspaceId, id: '', kind: id.kind, value: id.value, reason, message_id: tp.messageId, created_at: now, profile: target as ProfileState });
    const deferredConflicts: { id: NormalizedIdentity; reason: string }[] = [];

    for (const id of f.identities) {
      const hit = hits.get(keyOf(id.kind, id.value));
      if (!hit) {
        pending.push(id);
        pendingCounts.set(id.kind, (pendingCounts.get(id.kind) ?? 0) + 1);
        continue;
      }
      const found = profiles.get(find(hit.root));
      if (!found) continue;
      if (target === null) {
        // The highest-priority identifier decides; unknown ones seen before it must fit too.
        const clash = pending.length > 0 ? canHoldTogether(await ensureCounts(found), pendingCounts) : null;
        if (clash) {
          deferredConflicts.push({ id, reason: `belongs to another profile: linking it ${clash}` });
          continue;
        }
        target = found;
        atom = hit.profile;
        continue;
      }
      if (found.id === target.id) continue;
      const clash = canHoldTogether(await ensureCounts(target), await ensureCounts(found));
      if (clash) {
        deferredConflicts.push({ id, reason: `belongs to another profile: merging ${clash}` });
        continue;
      }
      const [survivor, absorbed]: [ProfileState, ProfileState] = older(target, found) ? [target, found] : [found, target];
      foldInto(survivor, absorbed);
      parent.set(absorbed.id, survivor.id);
      merges.push({ workspace_id: workspaceId, id: deps.ids.next(), survivor_id: survivor.id, absorbed_id: absorbed.id, cause: 'identity', detail: `${id.kind}:${id.value}`, created_at: now, undone_at: null });
      outbox.push({ workspaceId, topic: PROFILE_EVENTS.merged, payload: { survivorId: survivor.id, absorbedId: absorbed.id, cause: 'identity', messageId: tp.messageId } });
      target = survivor;
    }

    if (target === null) {
      target = newState(deps.ids.next(), now, tp.timestamp);
      profiles.set(target.id, target);
      atom = target.id;
      created += 1;
      outbox.push({ workspaceId, topic: PROFILE_EVENTS.created, payload: { customerId: target.id, messageId: tp.messageId } });
    }
    for (const d of deferredConflicts) conflict(d.id, d.reason);
    // Counts are loaded only when something is attached: the common touchpoint (known person,
    // known ids) costs no extra query.
    const counts = pending.length > 0 ? await ensureCounts(target) : new Map<string, number>();
    for (const id of pending) {
      if ((counts.get(id.kind) ?? 0) + 1 > limitOf(id.kind)) {
        conflict(id, `profile already holds ${limitOf(id.kind)} ${id.kind}`);
        continue;
      }
      if (total(target) + 1 > settings.identity.maxIdentitiesPerProfile) {
        conflict(id, `profile already holds ${settings.identity.maxIdentitiesPerProfile} identities`);
        continue;
      }
      counts.set(id.kind, (counts.get(id.kind) ?? 0) + 1);
      hits.set(keyOf(id.kind, id.value), { root: target.id, profile: atom as string });
      newIdentities.push({ workspace_id: workspaceId, kind: id.kind, value: id.value, customer_id: target.id, profile_id: atom as string, created_at: now });
    }
    for (const r of f.rejected) conflict({ kind: r.kind, value: r.value }, `${r.reason} value ignored`);

    const owner = target.id;
    const identified = f.identities.some((id) => {
      const hit = IDENTIFYING_KINDS.has(id.kind) ? hits.get(keyOf(id.kind, id.value)) : undefined;
      return hit !== undefined && find(hit.root) === owner;
    });
    applyTouchpoint(target, tp, identified, rules);
    if (target.dirty) target.updatedAt = now;
    events.push({
      workspace_id: workspaceId,
      id: deps.ids.next(),
      customer_id: target.id,
      atomRoot: target.id,
      profile_id: atom as string,
      message_id: tp.messageId,
      type: tp.type,
      name: tp.name,
      channel: tp.channel,
      anonymous_id: tp.anonymousId,
      user_id: tp.userId,
      properties: JSON.stringify(tp.properties),
      context: JSON.stringify(tp.context),
      timestamp: tp.timestamp,
      received_at: tp.receivedAt,
    });
    customerIds[f.i] = target.id;
  }

  // 5. Write: profiles, identities, events, merges, conflicts, outbox.
  const touched = [...profiles.values()].filter((p) => p.dirty);
  for (const p of touched) {
    p.rootId = find(p.id);
    if (p.mergedInto === null) {
      refreshStage(p, rules, now);
      if (!p.isNew && p.stage !== p.storedStage) {
        outbox.push({ workspaceId, topic: PROFILE_EVENTS.stageChanged, payload: { customerId: p.id, from: p.storedStage, to: p.stage } });
      }
    }
  }
  // Root and merge pointers change only through this group's merges. Naming them in the
  // update anyway makes SQLite rewrite every touched profile's customer_by_root entry even
  // when the value is the same: about a fifth of the bytes an ingest commit writes.
  const pointersMoved = merges.length > 0;
  for (const part of chunks(touched.map((p) => rowFromState(workspaceId, p)), 200)) {
    await tx
      .insertInto('customer')
      .values(part)
      .onConflict((oc) =>
        oc.columns(['workspace_id', 'id']).doUpdateSet((eb) => ({
          ...(pointersMoved ? { root_id: eb.ref('excluded.root_id'), merged_into: eb.ref('excluded.merged_into') } : {}),
          traits: eb.ref('excluded.traits'),
          stage: eb.ref('excluded.stage'),
          stage_override: eb.ref('excluded.stage_override'),
          stage_override_reason: eb.ref('excluded.stage_override_reason'),
          first_seen: eb.ref('excluded.first_seen'),
          last_seen: eb.ref('excluded.last_seen'),
          order_count: eb.ref('excluded.order_count'),
          revenue: eb.ref('excluded.revenue'),
          identified: eb.ref('excluded.identified'),
          advocate: eb.ref('excluded.advocate'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
  for (const m of merges) {
    // Stored rows of the absorbed profile (and anything merged into it earlier) follow it.
    await moveProfile(tx, workspaceId, m.absorbed_id, find(m.survivor_id));
  }
  for (const part of chunks(newIdentities.map((r) => ({ ...r, customer_id: find(r.customer_id) })))) {
    await tx.insertInto('identity').values(part).execute();
  }
  await insertEvents(tx, deps.engine, events.map(({ atomRoot, ...e }) => ({ ...e, customer_id: find(atomRoot) })));
  if (merges.length > 0) await tx.insertInto('merge').values(merges).execute();
  if (conflicts.length > 0) {
    await tx
      .insertInto('identity_conflict')
      .values(conflicts.map(({ profile, ...c }) => ({ ...c, id: deps.ids.next(), customer_id: find(profile.id) })))
      .execute();
  }
  await writeOutbox(tx, deps, outbox);

  return {
    customerIds: customerIds.map((id) => (id === null ? null : find(id))),
    stored: events.length,
    duplicates: touchpoints.length - events.length,
    created,
    merged: merges.length,
    conflicts: conflicts.length,
  };
}

function older(a: ProfileState, b: ProfileState): boolean {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt;
  if (a.firstSeen !== b.firstSeen) return a.firstSeen < b.firstSeen;
  return a.id < b.id;
}

async function loadCounts(tx: Tx, workspaceId: string, ids: readonly string[], profiles: Map<string, ProfileState>): Promise<void> {
  for (const part of chunks(ids)) {
    const rows = await tx
      .selectFrom('identity')
      .select(['customer_id', 'kind', sql<number>`count(*)`.as('n')])
      .where('workspace_id', '=', workspaceId)
      .where('customer_id', 'in', part)
      .groupBy(['customer_id', 'kind'])
      .execute();
    for (const id of part) {
      const p = profiles.get(id);
      if (p && !p.kindCounts) p.kindCounts = new Map();
    }
    for (const r of rows) profiles.get(r.customer_id)?.kindCounts?.set(r.kind, Number(r.n));
  }
}
