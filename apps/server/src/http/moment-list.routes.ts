import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { MomentCounts, MomentListQuery, MomentPage } from '@touchpoint/contracts';
import { countMoments, listMoments, teamsOf, viewerOf } from '../modules/moments/index.ts';
import { customerBriefs } from '../modules/profiles/index.ts';
import type { Principal } from '../modules/workspaces/index.ts';
import { AppError } from '../platform/errors.ts';
import { principalOf } from './api-auth.ts';
import type { HttpContext } from './context.ts';

/** Inbox lists and their badge counts, limited to what the caller may see. */
export async function momentListRoutes(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  const { deps } = ctx;

  app.get<{ Querystring: Static<typeof MomentListQuery> }>(
    '/moments',
    {
      schema: { tags: ['moments'], summary: 'Moments the caller may see: filtered, sorted, cursor-paged', querystring: MomentListQuery, response: { 200: MomentPage } },
    },
    async (request) => {
      const principal = principalOf(request);
      const q = request.query;
      const ownerId = q.owner === 'me' ? agentOf(principal, 'owner') : q.owner;
      const [viewer, settings] = await Promise.all([viewerOf(deps.db, principal), ctx.settings.get(principal.workspaceId)]);
      const handoffTo = q.handoff === 'me' ? { agentId: agentOf(principal, 'handoff'), teamIds: await teamsOf(deps.db, viewer) } : undefined;
      // A text search the index cannot narrow (two letters, a word thousands of messages hold)
      // reads moments and their messages until a page fills: off the event loop, on a read thread.
      const page = await listMoments(q.q ? deps.reads : deps.db, {
        engine: deps.engine,
        viewer,
        filters: {
          ownerId,
          teamId: q.team,
          statuses: commaList(q.status),
          channel: q.channel,
          businessUnitId: q.businessUnit,
          priorities: commaList(q.priority),
          sla: q.sla,
          customerId: q.customer,
          tag: q.tag,
          q: q.q,
          queued: q.queued,
          handoffTo,
        },
        sort: q.sort ?? 'recent',
        limit: q.limit ?? 50,
        cursor: q.cursor,
        now: deps.clock.now(),
        dueSoonMs: settings.moments.dueSoonMinutes * 60_000,
      });
      // Asked for by the inbox, which names each row's customer; other lists go without the reads.
      const customers = q.include === 'customers' ? await customerBriefs(deps.db, principal.workspaceId, page.data.map((m) => m.customerId)) : null;
      return { ...page, customers };
    },
  );

  app.get(
    '/moments/counts',
    { schema: { tags: ['moments'], summary: 'Inbox badges: mine, hand-offs to me, my teams, waiting in line, all, breached, due soon', response: { 200: MomentCounts } } },
    async (request) => {
      const principal = principalOf(request);
      const [viewer, settings] = await Promise.all([viewerOf(deps.db, principal), ctx.settings.get(principal.workspaceId)]);
      // Six counts over the active moments, about 15 ms at 40,000 of them, polled by every inbox.
      return countMoments(deps.reads, { viewer, now: deps.clock.now(), dueSoonMs: settings.moments.dueSoonMinutes * 60_000 });
    },
  );
}

/** `owner=me` (`handoff=me`) means the signed-in agent; an API key is nobody's. */
function agentOf(principal: Principal, field: 'owner' | 'handoff'): string {
  if (principal.agentId === null) throw new AppError('invalid_field', `${field}=me needs an agent signed in; an API key is not an agent`, field);
  return principal.agentId;
}

/** The schema already checked each item; duplicates are harmless but pointless. */
const commaList = (value: string | undefined): string[] | undefined => (value === undefined ? undefined : [...new Set(value.split(','))]);
