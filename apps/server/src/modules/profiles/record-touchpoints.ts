import { chunks } from '../../platform/chunks.ts';
import type { Deps } from '../../platform/deps.ts';
import type { Tx } from '../../platform/db/database.ts';
import { writeOutbox } from '../../platform/outbox.ts';
import { recordStageChanges, type StageChange } from './record-stage-changes.ts';
import type { WorkspaceSettings } from '../workspaces/index.ts';
import { appendNewEvents } from './insert-events.ts';
import { loadCounts, loadGroup } from './load-group.ts';
import { moveProfile } from './move-profile.ts';
import type { ProfileCache } from './profile-cache.ts';
import { refreshStage, rowFromState, stageInputs, type ProfileState } from './profile-state.ts';
import { stageReason } from './lifecycle.ts';
import { resolveGroup, type LeftOutIdentifier } from './resolve-group.ts';
import type { Touchpoint } from './touchpoint.ts';

export type RecordOutcome = {
  /** Per touchpoint, in input order: the profile it landed on, or null when it was a duplicate. */
  readonly customerIds: readonly (string | null)[];
  readonly stored: number;
  readonly duplicates: number;
  readonly created: number;
  readonly merged: number;
  readonly conflicts: number;
  /** The identifiers left out of the group's touchpoints, and why (rare): for callers that report per row, as the CSV import does. */
  readonly leftOut: readonly LeftOutIdentifier[];
};

export type { LeftOutIdentifier };

/**
 * Records a group of touchpoints of one workspace inside the caller's transaction: drops
 * duplicates by messageId, resolves each to one profile (creating, extending and merging
 * profiles under the workspace's guard rails), stores the events, and updates profiles.
 *
 * Set-based on purpose: a group costs a handful of statements whatever its size (load, then
 * resolve in memory, then write), which is what lets group commit turn many small requests
 * into one cheap transaction. The caller must serialise writers of a workspace (one queue per
 * process; on PostgreSQL an advisory lock), because resolution reads, decides, then writes.
 */
export async function recordTouchpoints(
  tx: Tx,
  deps: Pick<Deps, 'ids' | 'clock' | 'engine'> & { readonly profileCache?: ProfileCache },
  workspaceId: string,
  settings: WorkspaceSettings,
  touchpoints: readonly Touchpoint[],
): Promise<RecordOutcome> {
  const now = deps.clock.now();
  const rules = settings.lifecycle;
  const cache = deps.profileCache;
  const loaded = await loadGroup(tx, deps.engine, workspaceId, settings, touchpoints, cache);
  const { profiles } = loaded;
  const ensureCounts = async (s: ProfileState) => {
    if (!s.kindCounts) await loadCounts(tx, workspaceId, [s.id], profiles);
    return s.kindCounts ?? new Map<string, number>();
  };
  const { events, newIdentities, merges, conflicts, outbox, customerIds, created, find, leftOutAgain } = await resolveGroup(loaded, {
    workspaceId,
    settings,
    ids: deps.ids,
    now,
    size: touchpoints.length,
    ensureCounts,
  });

  // Write: profiles, identities, events, merges, conflicts, outbox.
  const touched = [...profiles.values()].filter((p) => p.dirty);
  const stageChanges: StageChange[] = [];
  for (const p of touched) {
    p.rootId = find(p.id);
    if (p.mergedInto === null) {
      const stage = refreshStage(p, rules, now);
      // Everyone starts as a visitor: someone whose first touchpoint is an order was made a customer by it.
      const from = p.isNew ? 'visitor' : p.storedStage;
      if (stage !== from) {
        // Only activity moves a silent buyer on from here: say so before the rule that placed them.
        const back = from === 'at_risk' || from === 'churned';
        const reason = stageReason(stage, stageInputs(p), rules, now);
        stageChanges.push({ customerId: p.id, from, to: stage, reason: back ? `active again: ${reason}` : reason });
      }
    }
  }
  // Root and merge pointers change only through this group's merges. Naming them in the
  // update anyway makes SQLite rewrite every touched profile's customer_by_root entry even
  // when the value is the same: about a fifth of the bytes an ingest commit writes.
  const pointersMoved = merges.length > 0;
  const rows = touched.map((p) => rowFromState(workspaceId, p));
  for (const part of chunks(rows, 200)) {
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
  await appendNewEvents(tx, deps.engine, events.map(({ atomRoot, ...e }) => ({ ...e, customer_id: find(atomRoot) })));
  if (merges.length > 0) await tx.insertInto('merge').values(merges).execute();
  if (conflicts.length > 0) {
    await tx
      .insertInto('identity_conflict')
      .values(conflicts.map(({ profile, ...c }) => ({ ...c, id: deps.ids.next(), customer_id: find(profile.id) })))
      .execute();
  }
  await writeOutbox(tx, deps, outbox);
  await recordStageChanges(tx, deps, workspaceId, stageChanges);
  if (cache) {
    // A merge moved the absorbed profiles' identities and rows: simpler to read them again.
    if (pointersMoved) cache.forget();
    else {
      for (const row of rows) cache.putCustomer(row);
      for (const r of newIdentities) cache.putIdentity(workspaceId, r.kind, r.value, { root: find(r.customer_id), profile: r.profile_id });
    }
  }

  return {
    customerIds: customerIds.map((id) => (id === null ? null : find(id))),
    stored: events.length,
    duplicates: touchpoints.length - events.length,
    created,
    merged: merges.length,
    conflicts: conflicts.length,
    leftOut: [...conflicts.map((c) => ({ messageId: c.message_id ?? '', kind: c.kind, value: c.value, reason: c.reason })), ...leftOutAgain],
  };
}
