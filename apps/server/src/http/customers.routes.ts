import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import {
  CustomerIdParams,
  CustomerProfile,
  CustomersQuery,
  CustomersReply,
  MergeBody,
  MergeReply,
  StageOverrideBody,
  StageOverrideReply,
  TimelinePage,
  TimelineQuery,
  UnmergeBody,
  UnmergeReply,
} from '@touchpoint/contracts';
import {
  findCustomerIdByIdentity,
  getCustomer,
  getTimeline,
  IDENTITY_KINDS,
  mergeCustomers,
  normalizeIdentity,
  overrideStage,
  searchCustomers,
  unmergeCustomer,
  type IdentityKind,
  type Stage,
} from '../modules/profiles/index.ts';
import { AppError } from '../platform/errors.ts';
import type { Db } from '../platform/db/database.ts';
import { momentsHiddenFrom, viewerOf, type Viewer } from '../modules/moments/index.ts';
import { principalOf } from './api-auth.ts';
import type { HttpContext } from './context.ts';

const WRITERS = ['owner', 'admin', 'agent'] as const;

/** Customers: look up by identity, search, the profile, its timeline, merge, unmerge, stage. */
export async function customersRoutes(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  const { deps } = ctx;

  app.get<{ Querystring: Static<typeof CustomersQuery> }>(
    '/customers',
    { schema: { tags: ['customers'], summary: 'Look a customer up by identity, or search', querystring: CustomersQuery, response: { 200: CustomersReply } } },
    async (request) => {
      const { workspaceId } = principalOf(request);
      const settings = await ctx.settings.get(workspaceId);
      const q = request.query;
      if (q.identity !== undefined) {
        const at = q.identity.indexOf(':');
        const kind = q.identity.slice(0, at) as IdentityKind;
        if (at < 1 || !IDENTITY_KINDS.includes(kind)) throw new AppError('invalid_field', `identity must be kind:value with kind one of ${IDENTITY_KINDS.join(', ')}`, 'identity');
        const value = q.identity.slice(at + 1);
        const normalized = normalizeIdentity(kind, value, { defaultCountry: settings.defaultCountry ?? undefined });
        // `phone:+44…` typed into a URL as is arrives as `phone: 44…`: a query string reads + as a space.
        const hint = kind === 'phone' && /^ \d/.test(value) ? ' (write the + of a phone number as %2B in a URL)' : '';
        if (!normalized.ok) throw new AppError('invalid_identity', normalized.message + hint, 'identity');
        const id = await findCustomerIdByIdentity(deps.db, workspaceId, normalized.identity.kind, normalized.identity.value);
        return { data: id ? [await getCustomer(deps.db, workspaceId, id, settings.lifecycle, deps.clock.now())] : [], nextCursor: null };
      }
      // A trait named twice would otherwise be no filter at all: every customer.
      const repeated = Object.entries(q).find(([key, value]) => key.startsWith('trait.') && Array.isArray(value));
      if (repeated) throw new AppError('invalid_field', `${repeated[0]} is given more than once; give each trait one value`, repeated[0]);
      // fromEntries defines each key: assigning `trait.__proto__` would set the prototype instead.
      const traits: Record<string, string> = Object.fromEntries(
        Object.entries(q).flatMap(([key, value]) => (key.startsWith('trait.') && typeof value === 'string' ? [[key.slice(6), value]] : [])),
      );
      const phone = q.q ? normalizeIdentity('phone', q.q, { defaultCountry: settings.defaultCountry ?? undefined }) : null;
      // A search the indexes cannot narrow (two letters, a word thousands share) reads customers
      // until a page fills (about 40 ms over 50,000): off the event loop, on a read thread.
      return searchCustomers(
        deps.reads,
        deps.engine,
        workspaceId,
        { q: q.q, traits, stage: q.stage as Stage | undefined, limit: q.limit ?? 50, cursor: q.cursor, phone: phone?.ok ? phone.identity.value : null },
        settings.lifecycle,
        deps.clock.now(),
      );
    },
  );

  app.get<{ Params: Static<typeof CustomerIdParams> }>(
    '/customers/:id',
    { schema: { tags: ['customers'], summary: 'A customer profile: identities, traits, stage, counts, merge history', params: CustomerIdParams, response: { 200: CustomerProfile } } },
    async (request) => {
      const { workspaceId } = principalOf(request);
      const settings = await ctx.settings.get(workspaceId);
      return getCustomer(deps.db, workspaceId, request.params.id, settings.lifecycle, deps.clock.now());
    },
  );

  app.get<{ Params: Static<typeof CustomerIdParams>; Querystring: Static<typeof TimelineQuery> }>(
    '/customers/:id/timeline',
    {
      schema: { tags: ['customers'], summary: 'Touchpoints newest first, cursor-paged, filtered by channel, type or name', params: CustomerIdParams, querystring: TimelineQuery, response: { 200: TimelinePage } },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const q = request.query;
      // A filter by type, name or department walks the profile's events until a page fills.
      const filtered = q.type !== undefined || q.name !== undefined || q.department !== undefined;
      const json = await getTimeline(filtered ? deps.reads : deps.db, principal.workspaceId, request.params.id, { limit: q.limit ?? 50, cursor: q.cursor, channel: q.channel, type: q.type, name: q.name, department: q.department });
      const shown = principal.role === 'agent' ? await withoutHiddenMoments(deps.db, json, await viewerOf(deps.db, principal)) : json;
      // Already JSON text, sent as bytes: the socket then writes them without another copy.
      return reply.type('application/json; charset=utf-8').send(Buffer.from(shown));
    },
  );

  app.post<{ Body: Static<typeof MergeBody> }>(
    '/customers/merge',
    { schema: { tags: ['customers'], summary: 'Merge two profiles by hand (the older survives)', body: MergeBody, response: { 200: MergeReply } } },
    async (request) => {
      const p = principalOf(request, WRITERS);
      const settings = await ctx.settings.get(p.workspaceId);
      const b = request.body;
      return mergeCustomers(deps, { workspaceId: p.workspaceId, ids: [b.ids[0], b.ids[1]], reason: b.reason, force: b.force ?? false, actor: p.actor, settings });
    },
  );

  app.post<{ Params: Static<typeof CustomerIdParams>; Body: Static<typeof UnmergeBody> }>(
    '/customers/:id/unmerge',
    { schema: { tags: ['customers'], summary: 'Undo a merge: both profiles and their events are restored', params: CustomerIdParams, body: UnmergeBody, response: { 200: UnmergeReply } } },
    async (request) => {
      const p = principalOf(request, WRITERS);
      const settings = await ctx.settings.get(p.workspaceId);
      return unmergeCustomer(deps, { workspaceId: p.workspaceId, customerId: request.params.id, mergeId: request.body?.mergeId, actor: p.actor, settings });
    },
  );

  app.put<{ Params: Static<typeof CustomerIdParams>; Body: Static<typeof StageOverrideBody> }>(
    '/customers/:id/stage',
    {
      schema: { tags: ['customers'], summary: 'Set the lifecycle stage by hand with a reason, or clear it (stage null)', params: CustomerIdParams, body: StageOverrideBody, response: { 200: StageOverrideReply } },
    },
    async (request) => {
      const p = principalOf(request, WRITERS);
      const settings = await ctx.settings.get(p.workspaceId);
      const { stage, reason } = request.body;
      // Blank is no reason: the history would show "set by hand: " and explain nothing.
      const why = reason?.trim() || null;
      if (stage !== null && why === null) throw new AppError('missing_field', 'a reason is required when setting a stage by hand', 'reason');
      return overrideStage(deps, { workspaceId: p.workspaceId, customerId: request.params.id, stage: stage as Stage | null, reason: why, actor: p.actor, settings });
    },
  );
}

/** Words a moment's lines carry (its subject, a message's preview). */
const MOMENT_WORDS = ['subject', 'preview'];

/**
 * The timeline page an agent may read: lines from moments they may not see keep what happened
 * and when, not the words (an agent sees only their teams' moments, on every endpoint).
 */
async function withoutHiddenMoments(db: Db, json: string, viewer: Viewer): Promise<string> {
  const page = JSON.parse(json) as { data: { properties: Record<string, unknown> }[] };
  const momentOf = (item: { properties: Record<string, unknown> }) => (typeof item.properties.momentId === 'string' ? item.properties.momentId : null);
  const hidden = await momentsHiddenFrom(db, viewer, page.data.map(momentOf).filter((id): id is string => id !== null));
  if (hidden.size === 0) return json;
  for (const item of page.data) {
    const id = momentOf(item);
    if (id !== null && hidden.has(id)) item.properties = Object.fromEntries(Object.entries(item.properties).filter(([key]) => !MOMENT_WORDS.includes(key)));
  }
  return JSON.stringify(page);
}
