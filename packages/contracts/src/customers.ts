import { Type } from '@sinclair/typebox';
import { Nullable, PageOf, Time, View } from './reply-parts.ts';

export const StageName = Type.Union(
  (['visitor', 'lead', 'customer', 'repeat', 'advocate', 'at_risk', 'churned'] as const).map((s) => Type.Literal(s)),
);

export const CustomerIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const CustomersQuery = Type.Object(
  {
    identity: Type.Optional(Type.String({ description: 'kind:value, e.g. email:ann@example.com, phone:+14155552671, user_id:42' })),
    q: Type.Optional(Type.String({ maxLength: 200, description: 'name, email, phone or id' })),
    stage: Type.Optional(StageName),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
    // Each `trait.` key is a filter (the route reads them all); this one names the pattern in the
    // OpenAPI document, which lists an object's properties but not the object's description.
    'trait.<name>': Type.Optional(
      Type.String({
        description:
          'any number of them, one per top-level trait (`trait.plan=pro&trait.seats=30`): a string trait matches its exact text; a number trait the same number however either is written (`30` finds 30, 30.0 and 3e1; `1e3` finds 1000), never a value that is not a decimal number; a boolean `true` or `false`; an array when one of its own elements matches (`trait.tags=beta` finds ["vip", "beta"]); an object or null never',
      }),
    ),
  },
  { additionalProperties: true },
);

export const TimelineQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
  channel: Type.Optional(Type.String({ maxLength: 300, description: 'one channel or a comma list: chat,whatsapp,messenger' })),
  type: Type.Optional(Type.Union(['identify', 'track', 'page', 'screen', 'group', 'alias'].map((t) => Type.Literal(t)))),
  name: Type.Optional(Type.String({ maxLength: 500 })),
  department: Type.Optional(Type.String({ pattern: '^[a-z0-9_-]{1,50}$', description: 'the team (key) that handled it: marketing, sales, service, …' })),
});

export const MergeBody = Type.Object({
  ids: Type.Tuple([Type.String({ minLength: 1 }), Type.String({ minLength: 1 })], { description: 'the two profiles; the older survives' }),
  reason: Type.String({ minLength: 1, maxLength: 500 }),
  force: Type.Optional(Type.Boolean({ description: 'merge even if identity limits (two user ids) are exceeded' })),
});

export const UnmergeBody = Type.Optional(
  Type.Object({ mergeId: Type.Optional(Type.String({ description: 'which merge to undo when the id is the survivor; default the latest' })) }),
);

export const StageOverrideBody = Type.Object({
  stage: Type.Union([StageName, Type.Null()], { description: 'null clears the override' }),
  reason: Type.Optional(Type.String({ maxLength: 500 })),
});

const Id = Type.String();
const JsonObject = Type.Record(Type.String(), Type.Unknown());
/** Amounts in different currencies are never added together. */
const Revenue = Type.Record(Type.String({ pattern: '^[A-Z]{3}$' }), Type.Number(), {
  description: 'order amounts less refunds, per ISO 4217 currency, rounded to its minor unit: {"EUR": 120.5, "GBP": 30}; {} when none',
});

/**
 * GET /customers/{id}: the whole profile. An absorbed profile's id answers with its survivor;
 * `stage` is computed at the time of the request.
 */
export const CustomerProfile = View({
  id: Id,
  name: Nullable(Type.String({ description: 'what the traits call them: `name`, else `firstName lastName`' })),
  traits: JsonObject,
  stage: StageName,
  stageOverride: Nullable(View({ stage: Type.String(), reason: Nullable(Type.String()) }, { description: 'a stage set by hand; null: the lifecycle rules decide' })),
  stageHistory: Type.Array(View({ from: Type.String(), to: Type.String(), reason: Type.String(), at: Time }), { description: 'changes of stage, newest first (the last 50)' }),
  firstSeen: Time,
  lastSeen: Time,
  createdAt: Time,
  updatedAt: Type.String({ format: 'date-time', description: 'when the profile last changed; in a merge, the traits of the one changed last win where both have one' }),
  counts: View({ events: Type.Integer(), orders: Type.Integer() }),
  revenue: Revenue,
  identities: Type.Array(View({ kind: Type.String(), value: Type.String(), profileId: Id, addedAt: Time }, { description: '`profileId`: the profile the identity first joined (an unmerge sends it back there)' })),
  mergedProfileIds: Type.Array(Id, { description: 'profiles merged into this one' }),
  merges: Type.Array(
    View({ id: Id, survivorId: Id, absorbedId: Id, cause: Type.String(), detail: Type.String(), at: Time, undoneAt: Nullable(Time) }),
    { description: 'merges this profile took part in, newest first (the last 100)' },
  ),
  conflicts: Type.Array(
    View({ kind: Type.String(), value: Type.String(), reason: Type.String(), messageId: Nullable(Type.String()), at: Time }),
    { description: 'identities a tracking call brought that were left off because another profile holds them and merging would break an identity limit; newest first (the last 50)' },
  ),
});

/**
 * A customer as a list row names them (GET /moments?include=customers): `id` is the profile they
 * are now, the survivor when the moment's profile was merged; `email` and `phone` are the ones
 * they gained last, as normalised identities.
 * @example { "id": "0193…", "name": "Ann Lee", "email": "ann@example.com", "phone": null }
 */
export const CustomerBrief = View({
  id: Id,
  name: Nullable(Type.String({ description: 'what the traits call them: `name`, else `firstName lastName`' })),
  email: Nullable(Type.String()),
  phone: Nullable(Type.String()),
});

/** A search result: enough to list and pick a customer. `name`, `email` and `phone` come from traits. */
export const CustomerSummary = View({
  id: Id,
  name: Nullable(Type.String()),
  email: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  stage: StageName,
  lastSeen: Time,
  counts: View({ orders: Type.Integer() }),
  revenue: Revenue,
});

/**
 * GET /customers: with `identity`, the profile it resolves to in full (or none) on one page;
 * otherwise summaries, newest activity first.
 */
export const CustomersReply = Type.Union([
  PageOf(CustomerSummary),
  View({ data: Type.Array(CustomerProfile, { maxItems: 1 }), nextCursor: Type.Null() }, { description: 'identity lookup' }),
]);

/** One touchpoint. `properties` and `context` are the tracking call's, as it was stored. */
export const TimelineItem = View({
  id: Id,
  type: Type.String({ description: 'identify | track | page | screen | group | alias' }),
  name: Nullable(Type.String({ description: "a track call's event or a page's name" })),
  channel: Type.String(),
  timestamp: Time,
  receivedAt: Time,
  messageId: Type.String(),
  profileId: Id,
  userId: Nullable(Type.String()),
  anonymousId: Nullable(Type.String()),
  properties: JsonObject,
  context: JsonObject,
});

/** GET /customers/{id}/timeline: newest first. */
export const TimelinePage = PageOf(TimelineItem);

/** POST /customers/merge: from now on `absorbedId` answers with the survivor. */
export const MergeReply = View({ survivorId: Id, absorbedId: Id, mergeId: Id });

/** POST /customers/{id}/unmerge: `restoredId` is the absorbed profile, standing alone again. */
export const UnmergeReply = View({ survivorId: Id, restoredId: Id, mergeId: Id });

/** PUT /customers/{id}/stage: the stage now (the rules' when the override was cleared). */
export const StageOverrideReply = View({ customerId: Id, stage: StageName });
