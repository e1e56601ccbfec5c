import { Type, type Static } from '@sinclair/typebox';

const STATUS = '(open|pending|snoozed|resolved|closed)';
const PRIORITY = '(low|normal|high|urgent)';
const id = (description: string) => Type.Optional(Type.String({ minLength: 1, maxLength: 64, description }));

/** How an inbox list is ordered; every order is keyset-paged with `cursor`. */
export const MomentSort = Type.Union(
  [
    Type.Literal('recent', { description: 'latest message first (default)' }),
    Type.Literal('oldest', { description: 'longest since the latest message first' }),
    Type.Literal('created', { description: 'newest moment first' }),
    Type.Literal('sla', { description: 'earliest SLA deadline first; moments without one last' }),
    Type.Literal('priority', { description: 'urgent, high, normal, low; latest message first within each' }),
  ],
  { default: 'recent' },
);

/**
 * GET /api/v1/moments: every filter is optional and they combine with AND. An unknown
 * parameter is refused (400 naming it) so that a misspelt filter never silently lists everything.
 * @example GET /api/v1/moments?owner=me&status=open&sla=due_soon&sort=sla&limit=50&include=customers
 */
export const MomentListQuery = Type.Object(
  {
    owner: id('an agent id, or `me` for the signed-in agent'),
    team: id('a team id'),
    status: Type.Optional(Type.String({ pattern: `^${STATUS}(,${STATUS})*$`, description: 'comma list; default open,pending,snoozed' })),
    channel: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
    businessUnit: id('a business unit id'),
    priority: Type.Optional(Type.String({ pattern: `^${PRIORITY}(,${PRIORITY})*$`, description: 'comma list' })),
    sla: Type.Optional(
      Type.Union([Type.Literal('breached'), Type.Literal('due_soon')], {
        description: 'breached: past a deadline (now or before); due_soon: not breached, a deadline within the workspace\'s moments.dueSoonMinutes',
      }),
    ),
    customer: id('a customer id'),
    tag: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    q: Type.Optional(Type.String({ maxLength: 200, description: 'text in the subject, the preview or any message body (case-insensitive), or naming the customer: one of their identities exactly (an email in any case, a phone number, a user id) or, from three characters, their name or another trait' })),
    queued: Type.Optional(Type.Boolean({ description: 'true: waiting in the team\'s first-in-first-out line; false: not waiting' })),
    handoff: Type.Optional(Type.Literal('me', { description: 'me: hand-offs waiting for the signed-in agent to accept or decline: to them, or to one of their teams without naming a person' })),
    sort: Type.Optional(MomentSort),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 500, description: 'nextCursor of the previous page' })),
    include: Type.Optional(Type.Literal('customers', { description: 'customers: also answer `customers`, each moment\'s customer by id (name, email, phone)' })),
  },
  { additionalProperties: false },
);
export type MomentListQuery = Static<typeof MomentListQuery>;

/**
 * GET /api/v1/moments/counts: the inbox badges of the caller, over open, pending and snoozed
 * moments. `breached` and `dueSoon` count what the caller may see, so they equal the length of
 * the list with `sla=breached` / `sla=due_soon`.
 * @example { "mine": 4, "handoffs": 1, "myTeams": 31, "waiting": 2, "all": 120, "breached": 3, "dueSoon": 5 }
 */
export const MomentCounts = Type.Object({
  mine: Type.Integer({ description: 'owned by the caller (0 for an API key)' }),
  handoffs: Type.Integer({ description: 'handed to the caller, or to one of their teams without naming a person, waiting for their answer (the list with handoff=me)' }),
  myTeams: Type.Integer({ description: 'in the teams the caller is a member of' }),
  waiting: Type.Integer({ description: 'queued in the first-in-first-out line of the caller\'s teams' }),
  all: Type.Optional(Type.Integer({ description: 'the whole workspace; only for owners, admins, analysts and API keys' })),
  breached: Type.Integer(),
  dueSoon: Type.Integer(),
});
export type MomentCounts = Static<typeof MomentCounts>;
