import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.ts';
import type { Deps } from '../../platform/deps.ts';
import { parseJsonObject, type JsonObject } from '../../platform/json.ts';
import { AppError } from '../../platform/errors.ts';
import { writeOutbox } from '../../platform/outbox.ts';
import type { BatchListener } from '../../worker/outbox-worker.ts';
import { insertEvents, normalizeIdentity, recordTouchpoints, rootOf, IDENTITY_KINDS, type IdentityKind, type NormalizedIdentity, type Touchpoint } from '../profiles/index.ts';
import type { MomentWrite } from './moment-tx.ts';
import { MOMENT_EVENTS } from './moments.events.ts';

/** Who a moment is with: a customer id, or any identity (`email:ann@example.com`). */
export type CustomerRef = { readonly customerId: string } | { readonly identity: string; readonly name?: string | null };

/** A line on the customer's timeline that a moment adds (opened, message received, sent). */
export type MomentTouchpoint = { readonly messageId: string; readonly name: string; readonly properties: JsonObject };

/** Parses and normalises `kind:value` as the tracking API would. */
export function parseIdentity(text: string, w: MomentWrite, field: string): NormalizedIdentity {
  const at = text.indexOf(':');
  const kind = text.slice(0, at) as IdentityKind;
  if (at < 1 || !IDENTITY_KINDS.includes(kind)) throw new AppError('invalid_field', `identity must be kind:value with kind one of ${IDENTITY_KINDS.join(', ')}`, field);
  const normalized = normalizeIdentity(kind, text.slice(at + 1), { defaultCountry: w.settings.defaultCountry ?? undefined });
  if (!normalized.ok) throw new AppError('invalid_identity', normalized.message, field);
  return normalized.identity;
}

/**
 * The customer a moment is with, whether this very contact made them (no moments yet, nobody
 * who served them), and whether it gave a known customer a new name (their channel's profile name).
 */
export type ResolvedCustomer = { readonly id: string; readonly isNew: boolean; readonly renamed: boolean };

/**
 * The customer a moment is with, created when the identity is new. Resolution goes through
 * the profile store, so an identity that links two profiles merges them as any touchpoint would.
 */
export async function resolveCustomer(w: MomentWrite, ref: CustomerRef, channel: string): Promise<ResolvedCustomer> {
  if ('customerId' in ref) return { id: (await rootOf(w.tx, w.workspaceId, ref.customerId, 'customerId')).id, isNew: false, renamed: false };
  const identity = parseIdentity(ref.identity, w, 'identity');
  const known = await w.tx
    .selectFrom('identity')
    .innerJoin('customer', (j) => j.onRef('customer.workspace_id', '=', 'identity.workspace_id').onRef('customer.id', '=', 'identity.customer_id'))
    .select(['identity.customer_id', 'customer.traits'])
    .where('identity.workspace_id', '=', w.workspaceId)
    .where('identity.kind', '=', identity.kind)
    .where('identity.value', '=', identity.value)
    .executeTakeFirst();
  // Channels name the sender on every message (WhatsApp's profile name): only a name the
  // profile does not have yet is news, or each message would add an identify to the timeline.
  if (known && (!ref.name || parseJsonObject(known.traits).name === ref.name)) return { id: known.customer_id, isNew: false, renamed: false };
  // New person (or a new name to learn): an identify touchpoint creates or updates the profile.
  const traits: JsonObject = ref.name ? { name: ref.name } : {};
  const outcome = await recordTouchpoints(w.tx, w.deps, w.workspaceId, w.settings, [
    touchpointFor(identity, { messageId: `identify:${w.deps.ids.next()}`, type: 'identify', name: null, channel, properties: traits, traits, now: w.now }),
  ]);
  const customerId = outcome.customerIds[0];
  if (!customerId) throw new Error('identify touchpoint was not recorded');
  // An identity nobody held makes a profile of its own: it links to nothing, so nothing merges.
  return { id: customerId, isNew: known === undefined, renamed: known !== undefined };
}

/**
 * Puts the moment's touchpoints on the customer's timeline: as an outbox event in the moment's
 * transaction, recorded by timelineRecorder through the ingest queue (CONVENTIONS #8). The
 * timeline, last seen and stage follow within a worker poll; the moment write no longer pays
 * for identity resolution and profile updates (about a quarter of each customer message's
 * transaction), and on SQLite they run on the ingest thread, off the event loop.
 */
export async function recordOnTimeline(w: MomentWrite, momentCustomerId: string, channel: string, items: readonly MomentTouchpoint[], teamId: string | null = null): Promise<void> {
  if (items.length === 0) return;
  const payload: TimelinePayload = { customerId: momentCustomerId, channel, teamId, at: w.now, items };
  await writeOutbox(w.tx, w.deps, [{ workspaceId: w.workspaceId, topic: MOMENT_EVENTS.touchpointsAdded, payload }]);
}

/** What a moment.touchpoints_added event carries. */
type TimelinePayload = { readonly customerId: string; readonly channel: string; readonly teamId: string | null; readonly at: number; readonly items: readonly MomentTouchpoint[] };

/** Hands touchpoints to the ingest queue, answered once they are committed. */
export type SubmitTouchpoints = (workspaceId: string, touchpoints: readonly Touchpoint[]) => Promise<unknown>;

/**
 * Records moment.touchpoints_added events, a claimed batch at a time: each workspace's lines go
 * to the ingest queue together (one group commit), through the profile store so that last seen
 * and stage follow (a customer who writes in is not churning). Idempotent: each line has its
 * messageId, stored once.
 */
export function timelineRecorder(deps: Deps, submit: SubmitTouchpoints): BatchListener {
  return {
    batch: async (events) => {
      const byWorkspace = new Map<string, Touchpoint[]>();
      // A customer's messages often come several to a batch: their target is read once.
      const targets = new Map<string, ReturnType<typeof timelineTarget>>();
      for (const event of events) {
        const p = event.payload as unknown as TimelinePayload;
        const key = `${event.workspaceId}\n${p.customerId}\n${p.teamId ?? ''}`;
        if (!targets.has(key)) targets.set(key, timelineTarget(deps.db, event.workspaceId, p.customerId, p.teamId));
        const target = await targets.get(key)!;
        // The profile is gone (erased): nothing left to put a line on.
        if (target === null) continue;
        // Which department handled it (the team's key), so the timeline can show one department's part.
        const items = target.department === null ? p.items : p.items.map((i) => ({ ...i, properties: { ...i.properties, department: target.department } }));
        if (target.identity === null) {
          await recordWithoutIdentity(deps, event.workspaceId, target.customerId, p, items);
          continue;
        }
        const identity = target.identity;
        const touchpoints = byWorkspace.get(event.workspaceId) ?? [];
        touchpoints.push(...items.map((i) => touchpointFor(identity, { messageId: i.messageId, type: 'track', name: i.name, channel: p.channel, properties: i.properties, traits: {}, now: p.at })));
        byWorkspace.set(event.workspaceId, touchpoints);
      }
      await Promise.all([...byWorkspace].map(([workspaceId, touchpoints]) => submit(workspaceId, touchpoints)));
    },
  };
}

/** A profile without any identity (imported by id only) cannot be resolved by one: its lines go straight in. */
async function recordWithoutIdentity(deps: Deps, workspaceId: string, customerId: string, p: TimelinePayload, items: readonly MomentTouchpoint[]): Promise<void> {
  await deps.db.transaction().execute((tx) =>
    insertEvents(
      tx,
      deps.engine,
      items.map((i) => ({
        workspace_id: workspaceId, id: deps.ids.next(), customer_id: customerId, profile_id: customerId, message_id: i.messageId, type: 'track', name: i.name,
        channel: p.channel, anonymous_id: null, user_id: null, properties: JSON.stringify(i.properties), context: '{}', timestamp: p.at, received_at: p.at,
      })),
    ),
  );
}

/**
 * Where a moment's touchpoints land: the customer's profile as it is now (the moment may name a
 * profile since merged into another), one identity of it, and the team's key; null when the
 * profile no longer exists. The identity is one the moment's own profile brought when there is
 * one: the line then belongs to that profile, and an unmerge gives it back with the moment.
 */
async function timelineTarget(db: Db, workspaceId: string, momentCustomerId: string, teamId: string | null): Promise<{ customerId: string; identity: NormalizedIdentity | null; department: string | null } | null> {
  const row = await db
    .selectFrom('customer as c')
    .innerJoin('customer as root', (j) => j.onRef('root.workspace_id', '=', 'c.workspace_id').onRef('root.id', '=', 'c.root_id'))
    .leftJoin('identity as i', (j) => j.onRef('i.workspace_id', '=', 'root.workspace_id').onRef('i.customer_id', '=', 'root.id'))
    .select(['root.id as customerId', 'i.kind', 'i.value'])
    .$if(teamId !== null, (qb) => qb.select((eb) => eb.selectFrom('team').select('team.key').where('team.workspace_id', '=', workspaceId).where('team.id', '=', teamId!).as('department')))
    .where('c.workspace_id', '=', workspaceId)
    .where('c.id', '=', momentCustomerId)
    .orderBy(sql`case when i.profile_id = c.id then 0 else 1 end`)
    .limit(1)
    .executeTakeFirst();
  if (!row) return null;
  return { customerId: row.customerId, identity: row.kind !== null && row.value !== null ? { kind: row.kind as IdentityKind, value: row.value } : null, department: row.department ?? null };
}

function touchpointFor(
  identity: NormalizedIdentity,
  t: { messageId: string; type: 'identify' | 'track'; name: string | null; channel: string; properties: JsonObject; traits: JsonObject; now: number },
): Touchpoint {
  const traits: JsonObject = { ...t.traits };
  const context: JsonObject = {};
  let userId: string | null = null;
  let anonymousId: string | null = null;
  const [prefix, ...rest] = identity.value.split(':');
  switch (identity.kind) {
    case 'user_id':
      userId = identity.value;
      break;
    case 'anonymous_id':
      anonymousId = identity.value;
      break;
    case 'email':
    case 'phone':
      traits[identity.kind] = identity.value;
      break;
    case 'social':
      traits[prefix!] = rest.join(':');
      break;
    case 'external_id':
      context.externalIds = [{ type: prefix, id: rest.join(':') }];
      break;
  }
  return {
    messageId: t.messageId, type: t.type, name: t.name, channel: t.channel, userId, anonymousId, previousId: null,
    traits, properties: t.type === 'identify' ? traits : t.properties, context, timestamp: t.now, receivedAt: t.now,
  };
}
