import type { Ids } from '../../platform/ids.ts';
import type { JsonObject } from '../../platform/json.ts';
import type { EventTable, IdentityConflictTable, IdentityTable, MergeTable } from '../../platform/db/tables.ts';
import type { OutboxEvent } from '../../platform/outbox.ts';
import type { WorkspaceSettings } from '../workspaces/index.ts';
import { identityKey, type LoadedGroup } from './load-group.ts';
import type { NormalizedIdentity } from './normalize-identity.ts';
import { applyTouchpoint, foldInto, mergeTraits, newState, older, type ProfileState } from './profile-state.ts';
import { PROFILE_EVENTS } from './profiles.events.ts';

// Identities that make a person known (a lead) rather than an anonymous visitor.
const IDENTIFYING_KINDS = new Set(['user_id', 'email', 'phone', 'external_id']);

/** What the group changes, decided in memory, for record-touchpoints to write. */
export type GroupPlan = {
  readonly events: readonly (EventTable & { readonly atomRoot: string })[];
  readonly newIdentities: readonly IdentityTable[];
  readonly merges: readonly MergeTable[];
  readonly conflicts: readonly (Omit<IdentityConflictTable, 'customer_id'> & { readonly profile: ProfileState })[];
  readonly outbox: OutboxEvent[];
  /** Per touchpoint of the group: the profile it landed on (before merges are followed). */
  readonly customerIds: readonly (string | null)[];
  readonly created: number;
  /** The surviving root of a profile after this group's merges. */
  readonly find: (id: string) => string;
  /**
   * What an import row skipped as already held would leave out again (another customer's
   * email): not news to the conflict log, which has it from the first run, but the caller
   * reports per row on every run.
   */
  readonly leftOutAgain: readonly LeftOutIdentifier[];
};

export type LeftOutIdentifier = { readonly messageId: string; readonly kind: string; readonly value: string; readonly reason: string };

/**
 * Resolves each touchpoint, in order, to one profile. Identifiers are taken in priority
 * order: the highest one that is known decides the profile; another known profile is merged
 * in (the older survives) unless that would break an identity limit; unknown identifiers are
 * attached within the limits. Whatever is dropped is recorded as a conflict.
 */
export async function resolveGroup(
  loaded: LoadedGroup,
  context: {
    readonly workspaceId: string;
    readonly settings: WorkspaceSettings;
    readonly ids: Ids;
    readonly now: number;
    readonly size: number;
    /** Identity counts of a profile, loaded on first need. */
    readonly ensureCounts: (profile: ProfileState) => Promise<Map<string, number>>;
  },
): Promise<GroupPlan> {
  const { fresh, hits, profiles } = loaded;
  const { workspaceId, settings, now, ensureCounts } = context;
  const limits = settings.identity.limits;
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
  const leftOutAgain: LeftOutIdentifier[] = [];
  const outbox: OutboxEvent[] = [];
  const customerIds: (string | null)[] = new Array<string | null>(context.size).fill(null);
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

  for (const f of fresh) {
    const { tp } = f;
    let target: ProfileState | null = null;
    let atom: string | null = null;
    const mergesBefore = merges.length;
    // Identifiers seen for the first time, kept until we know whose they are.
    const pending: NormalizedIdentity[] = [];
    const pendingCounts = new Map<string, number>();
    const conflict = (id: NormalizedIdentity, reason: string) =>
      conflicts.push({ workspace_id: workspaceId, id: '', kind: id.kind, value: id.value, reason, message_id: tp.messageId, created_at: now, profile: target as ProfileState });
    const deferredConflicts: { id: NormalizedIdentity; reason: string }[] = [];

    for (const id of f.identities) {
      const hit = hits.get(identityKey(id.kind, id.value));
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
      merges.push({ workspace_id: workspaceId, id: context.ids.next(), survivor_id: survivor.id, absorbed_id: absorbed.id, cause: 'identity', detail: `${id.kind}:${id.value}`, created_at: now, undone_at: null });
      outbox.push({ workspaceId, topic: PROFILE_EVENTS.merged, payload: { survivorId: survivor.id, absorbedId: absorbed.id, cause: 'identity', messageId: tp.messageId } });
      target = survivor;
    }

    if (target !== null && tp.skipIfHeld && merges.length === mergesBefore && holdsAlready(target, tp.skipIfHeld, pending)) {
      for (const d of deferredConflicts) leftOutAgain.push({ messageId: tp.messageId, kind: d.id.kind, value: d.id.value, reason: d.reason });
      for (const r of f.rejected) leftOutAgain.push({ messageId: tp.messageId, kind: r.kind, value: r.value, reason: `${r.reason} value ignored` });
      continue;
    }
    if (target === null) {
      target = newState(context.ids.next(), now, tp.timestamp);
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
      hits.set(identityKey(id.kind, id.value), { root: target.id, profile: atom as string });
      newIdentities.push({ workspace_id: workspaceId, kind: id.kind, value: id.value, customer_id: target.id, profile_id: atom as string, created_at: now });
    }
    for (const r of f.rejected) conflict({ kind: r.kind, value: r.value }, `${r.reason} value ignored`);

    const owner = target.id;
    const identified = f.identities.some((id) => {
      const hit = IDENTIFYING_KINDS.has(id.kind) ? hits.get(identityKey(id.kind, id.value)) : undefined;
      return hit !== undefined && find(hit.root) === owner;
    });
    applyTouchpoint(target, tp, identified, settings);
    if (target.dirty) target.updatedAt = now;
    events.push({
      workspace_id: workspaceId,
      id: context.ids.next(),
      customer_id: target.id,
      atomRoot: target.id,
      profile_id: atom as string,
      message_id: tp.messageId,
      type: tp.type,
      name: tp.name,
      channel: tp.channel,
      anonymous_id: tp.anonymousId,
      user_id: tp.userId,
      properties: tp.stored?.properties ?? JSON.stringify(tp.properties),
      context: tp.stored?.context ?? JSON.stringify(tp.context),
      timestamp: tp.timestamp,
      received_at: tp.receivedAt,
    });
    customerIds[f.i] = target.id;
  }

  return { events, newIdentities, merges, conflicts, outbox, customerIds, created, find, leftOutAgain };
}

/**
 * Whether an existing profile already holds what an import row would add: no identity to
 * attach, no trait value to change. Identifiers it would leave out again do not count: the
 * first run recorded them as conflicts (the row's leftOutAgain reports them once more).
 */
function holdsAlready(target: ProfileState, traits: JsonObject, pending: readonly NormalizedIdentity[]): boolean {
  return pending.length === 0 && mergeTraits(target.traits, traits) === target.traits;
}
