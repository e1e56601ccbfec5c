import type { JsonObject } from '../../platform/json.ts';
import { AppError } from '../../platform/errors.ts';
import { insertEvents, normalizeIdentity, recordTouchpoints, rootOf, IDENTITY_KINDS, type IdentityKind, type NormalizedIdentity, type Touchpoint } from '../profiles/index.ts';
import type { MomentWrite } from './moment-tx.ts';

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
 * The customer a moment is with, created when the identity is new. Resolution goes through
 * the profile store, so an identity that links two profiles merges them as any touchpoint would.
 */
export async function resolveCustomer(w: MomentWrite, ref: CustomerRef, channel: string): Promise<string> {
  if ('customerId' in ref) return (await rootOf(w.tx, w.workspaceId, ref.customerId, 'customerId')).id;
  const identity = parseIdentity(ref.identity, w, 'identity');
  const known = await w.tx
    .selectFrom('identity')
    .select('customer_id')
    .where('workspace_id', '=', w.workspaceId)
    .where('kind', '=', identity.kind)
    .where('value', '=', identity.value)
    .executeTakeFirst();
  if (known && !ref.name) return known.customer_id;
  // New person (or a name to learn): an identify touchpoint creates or updates the profile.
  const traits: JsonObject = ref.name ? { name: ref.name } : {};
  const outcome = await recordTouchpoints(w.tx, w.deps, w.workspaceId, w.settings, [
    touchpointFor(identity, { messageId: `identify:${w.deps.ids.next()}`, type: 'identify', name: null, channel, properties: traits, traits, now: w.now }),
  ]);
  const customerId = outcome.customerIds[0];
  if (!customerId) throw new Error('identify touchpoint was not recorded');
  return customerId;
}

/**
 * Adds the moment's touchpoints to the customer's timeline, through the profile store so that
 * last seen and stage follow (a customer who writes in is not churning).
 */
export async function recordOnTimeline(w: MomentWrite, momentCustomerId: string, channel: string, items: readonly MomentTouchpoint[], teamId: string | null = null): Promise<void> {
  if (items.length === 0) return;
  const { customerId, identity, department } = await timelineTarget(w, momentCustomerId, teamId);
  // Which department handled it (the team's key), so the timeline can show one department's part.
  if (department !== null) items = items.map((i) => ({ ...i, properties: { ...i.properties, department } }));
  if (identity === null) {
    // A profile without any identity (imported by id only) cannot be resolved by one.
    await insertEvents(
      w.tx,
      w.deps.engine,
      items.map((i) => ({
        workspace_id: w.workspaceId, id: w.deps.ids.next(), customer_id: customerId, profile_id: customerId, message_id: i.messageId, type: 'track', name: i.name,
        channel, anonymous_id: null, user_id: null, properties: JSON.stringify(i.properties), context: '{}', timestamp: w.now, received_at: w.now,
      })),
    );
    return;
  }
  await recordTouchpoints(
    w.tx,
    w.deps,
    w.workspaceId,
    w.settings,
    items.map((i) => touchpointFor(identity, { messageId: i.messageId, type: 'track', name: i.name, channel, properties: i.properties, traits: {}, now: w.now })),
  );
}

/**
 * Where a moment's touchpoints land: the customer's profile as it is now (the moment may name a
 * profile since merged into another), any one identity of it, and the team's key. One query:
 * it runs inside every customer message's transaction.
 */
async function timelineTarget(w: MomentWrite, momentCustomerId: string, teamId: string | null): Promise<{ customerId: string; identity: NormalizedIdentity | null; department: string | null }> {
  const row = await w.tx
    .selectFrom('customer as c')
    .innerJoin('customer as root', (j) => j.onRef('root.workspace_id', '=', 'c.workspace_id').onRef('root.id', '=', 'c.root_id'))
    .leftJoin('identity as i', (j) => j.onRef('i.workspace_id', '=', 'root.workspace_id').onRef('i.customer_id', '=', 'root.id'))
    .select(['root.id as customerId', 'i.kind', 'i.value'])
    .$if(teamId !== null, (qb) => qb.select((eb) => eb.selectFrom('team').select('team.key').where('team.workspace_id', '=', w.workspaceId).where('team.id', '=', teamId!).as('department')))
    .where('c.workspace_id', '=', w.workspaceId)
    .where('c.id', '=', momentCustomerId)
    .limit(1)
    .executeTakeFirst();
  if (!row) {
    // No such profile, or a dangling merge pointer: fail the way rootOf always has.
    await rootOf(w.tx, w.workspaceId, momentCustomerId);
    throw new Error(`customer ${momentCustomerId} has no root profile`);
  }
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
