import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import {
  ActAsBody,
  AddMessageBody,
  AddMessageReply,
  AssignBody,
  AttachmentIdParams,
  EscalateBody,
  HandoffBody,
  MergeMomentBody,
  MessagePage,
  MessagesQuery,
  MomentIdParams,
  MomentPatchBody,
  MomentView,
  OpenMomentBody,
  OpenMomentReply,
  OwnershipLedger,
  PresenceBody,
  PresenceReply,
} from '@touchpoint/contracts';
import {
  acceptHandoff,
  addMessage,
  assign,
  callerOf,
  declineHandoff,
  escalate,
  getAttachment,
  getMoment,
  getOwnership,
  listMessages,
  toMomentView,
  mergeMoments,
  openMoment,
  requestHandoff,
  setPresence,
  takeOver,
  updateMoment,
  type Caller,
  type MomentRow,
} from '../modules/moments/index.ts';
import { AppError } from '../platform/errors.ts';
import { isId } from '../platform/ids.ts';
import { principalOf } from './api-auth.ts';
import type { HttpContext } from './context.ts';

// Base64 makes files a third bigger; the use case enforces the real limits (5 MB a file, 10 MB a message).
const WITH_ATTACHMENTS = { bodyLimit: 15 * 1024 * 1024 };
const momentReply = { 200: MomentView };
type Id = { Params: Static<typeof MomentIdParams> };

/** Moments: open, read, converse, change, hand off, take over, escalate, assign, merge; agents' presence. */
export async function momentsRoutes(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  const { deps } = ctx;
  const { moments } = ctx;

  const callerOfRequest = (request: FastifyRequest): Promise<Caller> => callerOf(deps.db, principalOf(request));
  const view = async (workspaceId: string, row: MomentRow) => {
    const settings = await ctx.settings.get(workspaceId);
    return toMomentView(row, deps.clock.now(), settings.moments.dueSoonMinutes * 60_000);
  };
  const act = (request: FastifyRequest<Id>) => callerOfRequest(request).then((caller) => ({ workspaceId: caller.workspaceId, momentId: request.params.id, caller }));

  app.post<{ Body: Static<typeof OpenMomentBody> }>(
    '/moments',
    {
      ...WITH_ATTACHMENTS,
      schema: { tags: ['moments'], summary: 'Open a moment (or continue, reopen, or recognise a repeat delivery)', body: OpenMomentBody, response: { 200: OpenMomentReply, 201: OpenMomentReply } },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const b = request.body;
      if ((b.customerId === undefined) === (b.identity === undefined)) throw new AppError('missing_field', 'give exactly one of customerId or identity', 'customerId');
      const caller = await callerOfRequest(request);
      const result = await openMoment(moments, {
        workspaceId: p.workspaceId,
        actor: p.actor,
        customer: b.customerId !== undefined ? { customerId: b.customerId } : { identity: b.identity!, name: b.name ?? null },
        channel: b.channel,
        externalId: b.externalId ?? null,
        subject: b.subject ?? null,
        message: { body: b.message.body, externalId: b.message.externalId ?? null, attachments: b.message.attachments?.map(decodeAttachment('message.attachments')) },
        priority: b.priority as never,
        businessUnitId: b.businessUnitId ?? null,
        language: b.language ?? null,
        tags: b.tags,
        viewer: caller.seesAll ? undefined : caller,
      });
      reply.status(result.outcome === 'opened' ? 201 : 200);
      return { outcome: result.outcome, moment: await view(p.workspaceId, result.moment), message: result.message };
    },
  );

  app.get<Id>('/moments/:id', { schema: { tags: ['moments'], params: MomentIdParams, response: momentReply } }, async (request) => {
    const caller = await callerOfRequest(request);
    const settings = await ctx.settings.get(caller.workspaceId);
    return getMoment(deps.db, caller, request.params.id, deps.clock.now(), settings.moments.dueSoonMinutes * 60_000);
  });

  app.patch<Id & { Body: Static<typeof MomentPatchBody> }>(
    '/moments/:id',
    { schema: { tags: ['moments'], summary: 'Change status (documented transitions), snooze, priority, tags or subject', params: MomentIdParams, body: MomentPatchBody, response: momentReply } },
    async (request) => {
      const a = await act(request);
      const b = request.body;
      const row = await updateMoment(moments, { ...a, patch: { status: b.status as never, snoozedUntil: b.snoozedUntil === undefined ? undefined : Date.parse(b.snoozedUntil), priority: b.priority as never, tags: b.tags, subject: b.subject } });
      return view(a.workspaceId, row);
    },
  );

  app.get<Id & { Querystring: Static<typeof MessagesQuery> }>(
    '/moments/:id/messages',
    { schema: { tags: ['moments'], summary: 'The thread, oldest first', params: MomentIdParams, querystring: MessagesQuery, response: { 200: MessagePage } } },
    async (request) => {
      const caller = await callerOfRequest(request);
      const { cursor, after, limit } = request.query;
      // Both name a message id; one that is not could only page from nowhere, silently.
      for (const [field, value] of [['cursor', cursor], ['after', after]] as const) {
        if (value !== undefined && !isId(value)) throw new AppError('invalid_field', `${field} is not a message id this API gave out`, field);
      }
      return listMessages(deps.db, caller, request.params.id, { after: cursor ?? after, limit: limit ?? 100 });
    },
  );

  app.post<Id & { Body: Static<typeof AddMessageBody> }>(
    '/moments/:id/messages',
    {
      ...WITH_ATTACHMENTS,
      schema: { tags: ['moments'], summary: 'Reply (owner only), add an internal note, or record a customer message', params: MomentIdParams, body: AddMessageBody, response: { 200: AddMessageReply, 201: AddMessageReply } },
    },
    async (request, reply) => {
      const a = await act(request);
      const b = request.body;
      const result = await addMessage(moments, { ...a, direction: b.direction, body: b.body, externalId: b.externalId ?? null, mentions: b.mentions, attachments: b.attachments?.map(decodeAttachment('attachments')), agentId: b.agentId, meta: replyMeta(b) });
      reply.status(result.duplicate ? 200 : 201);
      return { moment: await view(a.workspaceId, result.moment), message: result.message, duplicate: result.duplicate };
    },
  );

  app.post<Id & { Body: Static<typeof HandoffBody> }>('/moments/:id/handoff', { schema: { tags: ['moments'], summary: 'Hand off to a team or person (the sender owns it until accepted)', description: 'One hand-off waits at a time: while one waits for its receiver, another is refused with 409 `handoff_waiting` naming it. The sender withdraws it first with `POST /moments/{id}/handoff/decline`.', params: MomentIdParams, body: HandoffBody, response: momentReply } }, async (request) => {
    const a = await act(request);
    return view(a.workspaceId, await requestHandoff(moments, { ...a, request: request.body }));
  });
  app.post<Id & { Body: Static<typeof ActAsBody> }>('/moments/:id/handoff/accept', { schema: { tags: ['moments'], params: MomentIdParams, body: ActAsBody, response: momentReply } }, async (request) => {
    const a = await act(request);
    return view(a.workspaceId, await acceptHandoff(moments, { ...a, agentId: request.body?.agentId }));
  });
  app.post<Id & { Body: Static<typeof ActAsBody> }>('/moments/:id/handoff/decline', { schema: { tags: ['moments'], summary: 'Decline a waiting hand-off (its receiver), or withdraw it (its sender, or an admin)', description: 'The sender keeps the moment; the receiver and the sender hear `handoff.declined` with the reason given.', params: MomentIdParams, body: ActAsBody, response: momentReply } }, async (request) => {
    const a = await act(request);
    return view(a.workspaceId, await declineHandoff(moments, { ...a, reason: request.body?.reason ?? null }));
  });
  app.post<Id & { Body: Static<typeof ActAsBody> }>('/moments/:id/take-over', { schema: { tags: ['moments'], summary: 'Take the moment over from its owner (recorded)', params: MomentIdParams, body: ActAsBody, response: momentReply } }, async (request) => {
    const a = await act(request);
    return view(a.workspaceId, await takeOver(moments, { ...a, agentId: request.body?.agentId, note: request.body?.note ?? null }));
  });
  app.post<Id & { Body: Static<typeof EscalateBody> }>('/moments/:id/escalate', { schema: { tags: ['moments'], summary: "Escalate to the team's lead", params: MomentIdParams, body: EscalateBody, response: momentReply } }, async (request) => {
    const a = await act(request);
    return view(a.workspaceId, await escalate(moments, { ...a, reason: request.body.reason, raisePriority: request.body.raisePriority }));
  });
  app.post<Id & { Body: Static<typeof AssignBody> }>('/moments/:id/assign', { schema: { tags: ['moments'], summary: 'Assign to a person within their capacity (admins)', params: MomentIdParams, body: AssignBody, response: momentReply } }, async (request) => {
    const a = await act(request);
    return view(a.workspaceId, await assign(moments, { ...a, agentId: request.body.agentId, teamId: request.body.teamId, note: request.body.note ?? null }));
  });
  app.post<Id & { Body: Static<typeof MergeMomentBody> }>('/moments/:id/merge', { schema: { tags: ['moments'], summary: 'Fold a duplicate moment of the same customer into this one', params: MomentIdParams, body: MergeMomentBody, response: momentReply } }, async (request) => {
    const a = await act(request);
    return view(a.workspaceId, await mergeMoments(moments, { workspaceId: a.workspaceId, intoId: a.momentId, duplicateId: request.body.duplicateId, caller: a.caller }));
  });
  app.get<Id>('/moments/:id/ownership', { schema: { tags: ['moments'], summary: 'The ownership ledger: every owner, from when to when, and why', params: MomentIdParams, response: { 200: OwnershipLedger } } }, async (request) => {
    const caller = await callerOfRequest(request);
    return { data: await getOwnership(deps.db, caller, request.params.id) };
  });

  app.get<{ Params: Static<typeof AttachmentIdParams> }>('/attachments/:id', { schema: { tags: ['moments'], params: AttachmentIdParams } }, async (request, reply) => {
    const file = await getAttachment(deps.db, await callerOfRequest(request), request.params.id);
    // Stored bytes are the sender's; never let a browser render them as this origin's page.
    reply.header('content-type', file.contentType).header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`).header('x-content-type-options', 'nosniff');
    return reply.send(file.data);
  });

  app.put<{ Params: Static<typeof MomentIdParams>; Body: Static<typeof PresenceBody> }>(
    '/agents/:id/presence',
    {
      schema: { tags: ['moments'], summary: "Set an agent's presence (themselves, or an admin): offline hands their moments back", params: MomentIdParams, body: PresenceBody, response: { 200: PresenceReply } },
    },
    async (request) => {
      const p = principalOf(request);
      if (p.agentId !== request.params.id && p.role !== 'owner' && p.role !== 'admin') throw new AppError('forbidden', "only admins set someone else's presence", 'id');
      return setPresence(moments, { workspaceId: p.workspaceId, agentId: request.params.id, presence: request.body.presence, actor: p.actor });
    },
  );
}

/** Channel specifics of a reply, kept on the message for its channel's adapter. */
function replyMeta(b: Static<typeof AddMessageBody>): Record<string, unknown> | undefined {
  if (b.direction !== 'out' && (b.template || b.email)) throw new AppError('invalid_field', `${b.template ? 'template' : 'email'} is for replies to the customer, not ${b.direction === 'note' ? 'notes' : 'their messages'}`, b.template ? 'template' : 'email');
  const meta = { ...(b.template ? { template: b.template } : {}), ...(b.email?.subject ? { subject: b.email.subject } : {}), ...(b.email?.cc?.length ? { cc: b.email.cc } : {}) };
  return Object.keys(meta).length > 0 ? meta : undefined;
}

/** Decodes the attachments at `path` (`attachments`, `message.attachments`), naming the one whose data is not base64. */
const decodeAttachment = (path: string) => (a: { fileName: string; contentType: string; data: string }, i: number) => {
  if (!/^[A-Za-z0-9+/\r\n]*={0,2}$/.test(a.data)) throw new AppError('invalid_field', `${path}[${i}].data must be base64`, `${path}[${i}].data`);
  return { fileName: a.fileName, contentType: a.contentType, data: Buffer.from(a.data, 'base64') };
};
