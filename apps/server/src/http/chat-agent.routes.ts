import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { MomentIdParams, NoContent } from '@touchpoint/contracts';
import { callerOf, getMoment } from '../modules/moments/index.ts';
import { principalOf } from './api-auth.ts';
import type { HttpContext } from './context.ts';

const TypingBody = Type.Object({ typing: Type.Boolean({ description: 'true while the agent types; false when they stop' }) }, { additionalProperties: false });

/**
 * What agents send the web chat besides replies: POST /api/v1/moments/{id}/typing shows the
 * visitor (and the other agents on the moment, as a `signal` frame on the stream) that
 * someone is typing. Ephemeral: nothing is stored.
 */
export async function chatAgentRoutes(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  app.post<{ Params: Static<typeof MomentIdParams>; Body: Static<typeof TypingBody> }>(
    '/moments/:id/typing',
    { schema: { tags: ['moments'], summary: 'Show the customer (web chat) and other agents that you are typing', params: MomentIdParams, body: TypingBody, response: { 204: NoContent } } },
    async (request, reply) => {
      const p = principalOf(request);
      const settings = await ctx.settings.get(p.workspaceId);
      const caller = await callerOf(ctx.deps.db, p);
      // Only someone who may see the moment may type on it (404 otherwise, as for reading it).
      const moment = await getMoment(ctx.deps.db, caller, request.params.id, ctx.deps.clock.now(), settings.moments.dueSoonMinutes * 60_000);
      const agent = p.agentId ? await ctx.deps.db.selectFrom('agent').select('name').where('workspace_id', '=', p.workspaceId).where('id', '=', p.agentId).executeTakeFirst() : undefined;
      ctx.stream.signal(
        p.workspaceId,
        { teams: moment.teamId ? [moment.teamId] : [], agents: [moment.ownerId] },
        { type: 'signal', signal: 'typing', momentId: moment.id, from: { kind: 'agent', id: p.agentId, name: agent?.name ?? null }, typing: request.body.typing },
      );
      return reply.status(204).send();
    },
  );
}
