import { Type } from '@sinclair/typebox';
import { IDENTITY_KIND_NAMES } from './identity-kinds.ts';
import { ListOf, Nullable, Time, View } from './reply-parts.ts';

export const Role = Type.Union((['owner', 'admin', 'agent', 'analyst'] as const).map((r) => Type.Literal(r)));

export const SignInBody = Type.Object({
  email: Type.String({ minLength: 3, maxLength: 320 }),
  password: Type.String({ minLength: 1, maxLength: 200 }),
  workspaceId: Type.Optional(Type.String({ maxLength: 64, description: 'The workspace to enter, when this email is an agent in several (see `workspaces` in the reply)' })),
});

/**
 * GET /sessions/current: who is calling. `agent` is null for an API key.
 * @example { "workspace": { "id": "ws_1", "name": "Acme" }, "role": "agent", "via": "session", "agent": { "id": "ag_1", "name": "Ana", "email": "ana@acme.test", "role": "agent", "presence": "online" } }
 */
export const CurrentSession = View({
  workspace: View({ id: Type.String(), name: Type.String() }),
  role: Role,
  via: Type.String({ description: 'session | api_key' }),
  agent: Type.Union([
    View({ id: Type.String(), name: Type.String(), email: Type.String(), role: Role, presence: Type.String({ description: 'online | away | offline' }) }),
    Type.Null(),
  ]),
});

/**
 * POST /sessions (201): the new session. Browsers also get it as the HttpOnly session cookie and
 * the CSRF cookie; scripts send `token` as `Authorization: Bearer`.
 */
export const SignInReply = View({
  token: Type.String({ description: 'the session token (tp_sess_…), shown only in this reply; send it as Authorization: Bearer' }),
  workspaceId: Type.String({ description: 'the workspace the session is in' }),
  agentId: Type.String(),
  expiresAt: Time,
  workspaces: Type.Array(View({ id: Type.String(), name: Type.String() }), {
    description: 'every workspace where this email and password verify, oldest first: switching is signing in again with its `workspaceId`',
  }),
  csrfToken: Type.String({ description: 'the value of the tp_csrf cookie: browsers send it back as the X-CSRF-Token header on writes' }),
});

/** api: the REST API (`Authorization: Bearer`); write: the tracking API (Basic auth). */
export const KeyKind = Type.Union([Type.Literal('api'), Type.Literal('write')]);

export const CreateKeyBody = Type.Object({
  kind: KeyKind,
  name: Type.Optional(Type.String({ maxLength: 100 })),
});

export const KeyIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/** A key as GET /keys lists it: its prefix only, never the key. */
export const ApiKey = View({ id: Type.String(), kind: KeyKind, name: Type.String(), prefix: Type.String({ description: 'the first characters of the key, to tell keys apart' }), createdAt: Time, revokedAt: Nullable(Time) });

/** GET /keys: every key, revoked ones too, oldest first. */
export const ApiKeyList = ListOf(ApiKey);

/** POST /keys (201): the key itself, shown only in this reply (the server keeps its hash). */
export const CreatedKey = View({ id: Type.String(), kind: KeyKind, name: Type.String(), prefix: Type.String(), key: Type.String({ description: 'the whole key (tp_api_… or tp_write_…): store it now, it is never shown again' }) });

/** DELETE /keys/{id}: when it was revoked (revoking a revoked key answers the first time). */
export const RevokedKey = View({ id: Type.String(), revokedAt: Time });

/** POST /business-units, /teams and /agents (201): the new row's id. */
export const CreatedId = View({ id: Type.String() });

export const CreateBusinessUnitBody = Type.Object({
  key: Type.String({ pattern: '^[a-z0-9_-]{1,50}$' }),
  name: Type.String({ minLength: 1, maxLength: 200 }),
});

export const BusinessUnitIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/** Renames a business unit; the key stays (rules and integrations refer to it). */
export const UpdateBusinessUnitBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });

export const BusinessUnit = View({ id: Type.String(), key: Type.String(), name: Type.String(), createdAt: Time });

/** How a team shares out new moments among its members who are online with room. */
export const TeamStrategy = Type.Union([Type.Literal('round_robin'), Type.Literal('least_loaded'), Type.Literal('skills')], {
  description: 'round_robin: in turn; least_loaded: fewest open moments on the channel; skills: only members with every skill the rule requires, then least loaded',
});

/** An agent id, or null for "nobody named" (fallback owner: the workspace owner; lead: none). */
export const OptionalAgentId = Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()]);

/**
 * Skills an agent has, or a rule requires; compared exactly.
 * @example ["spanish", "billing"]
 */
export const Skills = Type.Array(Type.String({ minLength: 1, maxLength: 64, pattern: '^\\S(.*\\S)?$' }), { maxItems: 100 });

/**
 * Open moments an agent may own at once, per channel; `*` covers every other channel, and
 * the workspace's `moments.defaultCapacity` applies when neither is set. 0 takes no new work there.
 * @example { "chat": 3, "email": 10, "*": 5 }
 */
export const Capacity = Type.Record(Type.String({ pattern: '^(\\*|[a-z][a-z0-9_-]{0,49})$' }), Type.Integer({ minimum: 0, maximum: 1000 }), { additionalProperties: false });

export const CreateTeamBody = Type.Object({
  key: Type.String({ pattern: '^[a-z0-9_-]{1,50}$' }),
  name: Type.String({ minLength: 1, maxLength: 200 }),
  businessUnitId: Type.Optional(Type.String()),
  agentIds: Type.Optional(Type.Array(Type.String(), { maxItems: 1000 })),
  strategy: Type.Optional(TeamStrategy),
  fallbackOwnerId: Type.Optional(OptionalAgentId),
  leadId: Type.Optional(OptionalAgentId),
});

export const CreateAgentBody = Type.Object({
  email: Type.String({ pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$', maxLength: 320 }),
  name: Type.String({ minLength: 1, maxLength: 200 }),
  role: Role,
  password: Type.String({ minLength: 10, maxLength: 200 }),
  skills: Type.Optional(Skills),
  capacity: Type.Optional(Capacity),
});

const IdentityKindName = Type.Union(IDENTITY_KIND_NAMES.map((kind) => Type.Literal(kind)));
const EventNames = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 100 });

export const SettingsPatch = Type.Object(
  {
    defaultCountry: Type.Optional(Type.Union([Type.String({ pattern: '^[A-Z]{2}$' }), Type.Null()])),
    defaultCurrency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
    identity: Type.Optional(
      Type.Object(
        {
          limits: Type.Optional(
            Type.Object(Object.fromEntries(IDENTITY_KIND_NAMES.map((kind) => [kind, Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 }))])), {
              additionalProperties: false,
              description: 'identities of a kind one profile may hold; the kinds not given keep theirs',
            }),
          ),
          maxIdentitiesPerProfile: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
          priority: Type.Optional(Type.Array(IdentityKindName, { minItems: 1, uniqueItems: true, description: 'which identity decides first when they point at different profiles' })),
        },
        { additionalProperties: false },
      ),
    ),
    lifecycle: Type.Optional(
      Type.Object(
        {
          leadEvents: Type.Optional(EventNames),
          orderEvents: Type.Optional(EventNames),
          advocateEvents: Type.Optional(EventNames),
          repeatAfterOrders: Type.Optional(Type.Integer({ minimum: 2, maximum: 1000 })),
          atRiskAfterDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
          churnedAfterDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
        },
        { additionalProperties: false },
      ),
    ),
    moments: Type.Optional(
      Type.Object(
        {
          defaultTeamId: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])),
          reopenWindowHours: Type.Optional(Type.Integer({ minimum: 0, maximum: 24 * 365 })),
          defaultCapacity: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          dueSoonMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 * 24 * 60 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** What every reply about an agent says of them: who they are and how routing treats them. */
export const AgentFields = {
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: Role,
  presence: Type.String({ description: 'online | away | offline: only online agents are routed new work' }),
  skills: Type.Array(Type.String()),
  capacity: Type.Record(Type.String(), Type.Integer(), { description: 'open moments they may own per channel; `*` for any other channel' }),
};

/** One agent in GET /agents: everything settings screens show, without a request per agent. */
export const AgentListItem = View({
  ...AgentFields,
  teamIds: Type.Array(Type.String(), { description: 'the teams they are a member of' }),
  createdAt: Time,
});

/** One team in GET /teams: routing settings and members, without a request per team. */
export const TeamListItem = View({
  id: Type.String(),
  key: Type.String(),
  name: Type.String(),
  businessUnitId: Type.Union([Type.String(), Type.Null()]),
  strategy: TeamStrategy,
  fallbackOwnerId: Type.Union([Type.String(), Type.Null()], { description: 'null: the workspace owner holds what nobody can take' }),
  leadId: Type.Union([Type.String(), Type.Null()]),
  memberIds: Type.Array(Type.String()),
  agentIds: Type.Array(Type.String(), { description: 'the same as memberIds (the name team creation takes)' }),
  createdAt: Time,
});

/** GET /business-units, /teams, /agents: every row, oldest first. */
export const BusinessUnitList = ListOf(BusinessUnit);
export const TeamList = ListOf(TeamListItem);
export const AgentList = ListOf(AgentListItem);

/**
 * A workspace's settings, stored values over the defaults. The identity and lifecycle sections
 * are open objects: a key a settings patch added beyond the documented ones is stored and sent back.
 */
export const WorkspaceSettings = View({
  defaultCountry: Nullable(Type.String({ description: 'ISO 3166 alpha-2: assumed for phone numbers written without +country code' })),
  defaultCurrency: Type.String({ description: 'ISO 4217: the currency of order amounts sent without a `currency` property' }),
  identity: Type.Object({
    limits: Type.Record(Type.String(), Type.Integer(), { description: 'identities of a kind one profile may hold' }),
    priority: Type.Array(Type.String(), { description: 'the identity kinds that win when a limit is hit, first wins' }),
    maxIdentitiesPerProfile: Type.Integer(),
  }),
  lifecycle: Type.Object({
    leadEvents: Type.Array(Type.String()),
    orderEvents: Type.Array(Type.String()),
    advocateEvents: Type.Array(Type.String()),
    repeatAfterOrders: Type.Integer(),
    atRiskAfterDays: Type.Integer(),
    churnedAfterDays: Type.Integer(),
  }),
  moments: View({
    defaultTeamId: Nullable(Type.String({ description: 'where moments no assignment rule matches go (null: the workspace owner holds them)' })),
    reopenWindowHours: Type.Integer(),
    defaultCapacity: Type.Integer(),
    dueSoonMinutes: Type.Integer(),
  }),
});

/** GET /workspace: this workspace and its settings. */
export const Workspace = View({ id: Type.String(), name: Type.String(), createdAt: Time, settings: WorkspaceSettings });
