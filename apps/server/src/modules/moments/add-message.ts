import { AppError } from '../../platform/errors.ts';
import { writeOutbox } from '../../platform/outbox.ts';
import { actingAgent, loadForCaller, type Caller } from './caller.ts';
import { recordOnTimeline } from './customer-touchpoints.ts';
import { scopeOf, type ChannelScope } from './channel-scope.ts';
import { customerWrote, type InboundMessage } from './customer-wrote.ts';
import { checkAttachments, checkMentions, findMessageByExternalId, insertMessage, previewOf, storedMessageView, type AttachmentInput, type Direction, type MessageView } from './messages.ts';
import { inMomentTx, type MomentsCtx, type MomentWrite } from './moment-tx.ts';
import type { MomentRow } from './moment-view.ts';
import { continuable, createMoment, loadRow, type OpenResult } from './open-moment.ts';
import { audienceOf, momentPayload } from './ownership.ts';
import { saveMoment } from './save-moment.ts';
import { slaOnReply } from './sla-hooks.ts';
import { MOMENT_EVENTS } from './moments.events.ts';

export type AddMessageInput = {
  readonly workspaceId: string;
  readonly momentId: string;
  readonly caller: Caller;
  readonly direction: Direction;
  readonly body: string;
  readonly externalId?: string | null;
  readonly mentions?: readonly string[];
  readonly attachments?: readonly AttachmentInput[];
  /** Channel specifics of a reply (a WhatsApp template). */
  readonly meta?: Readonly<Record<string, unknown>>;
  /** Admin keys name the agent a reply is sent as. */
  readonly agentId?: string;
};

export type AddMessageResult = { readonly moment: MomentRow; readonly message: MessageView; readonly duplicate: boolean };

/**
 * Adds a message to a moment. A reply to the customer (out) may come only from the moment's
 * owner — anyone else gets 409 not_owner and must take the moment over first. Internal notes
 * (with @mentions) may come from anyone who sees the moment. A customer message (in) recorded
 * through the API follows the customer's rules: it wakes, reopens or, past the window, opens anew.
 */
export async function addMessage(ctx: MomentsCtx, input: AddMessageInput): Promise<AddMessageResult> {
  checkAttachments(input.attachments);
  return inMomentTx(ctx, input.workspaceId, async (w) => {
    const moment = await loadForCaller(w, input.caller, input.momentId);
    const repeat = await findMessageByExternalId(w, scopeOf(moment), input.externalId);
    if (repeat) return { moment: await loadRow(w, repeat.moment_id), message: await storedMessageView(w, repeat), duplicate: true };

    if (input.direction === 'in') {
      // As if the customer wrote on the channel: to the moment this one was merged into; past a
      // closed one or the reopen window, to their active moment on the channel, else a new one.
      // Its id is unique on the channel of the moment named (where the repeat check looked).
      const target = moment.merged_into ? await loadRow(w, moment.merged_into) : moment;
      const message = { body: input.body, externalId: input.externalId, attachments: input.attachments };
      const result =
        (await customerWrote(w, target, message, input.caller.actor, scopeOf(moment))) ??
        (await continueActive(w, target, message, input.caller.actor, scopeOf(moment))) ??
        (await createMoment(w, { workspaceId: w.workspaceId, actor: input.caller.actor, customer: { customerId: target.customer_id }, channel: target.channel, channelId: target.channel_id, subject: target.subject, priority: target.priority as never, businessUnitId: target.business_unit_id, language: target.language, message }, { id: target.customer_id, isNew: false, renamed: false }));
      return { moment: result.moment, message: result.message, duplicate: false };
    }

    if (moment.status === 'closed') throw new AppError('invalid_transition', 'the moment is closed; the customer writing again opens a new one', 'status');
    await checkMentions(w, input.mentions, moment);
    let row = moment;
    let authorId = input.caller.agentId;
    if (input.direction === 'out') {
      authorId = await actingAgent(w, input.caller, input.agentId);
      if (authorId !== moment.owner_id) throw new AppError('not_owner', 'only the owner replies to the customer; take the moment over first');
      checkChannelOptions(moment.channel, input.meta);
      await ctx.checkReply?.(w.tx, moment, { body: input.body, meta: input.meta ?? {} });
      row = slaOnReply(w, { ...row, first_response_at: row.first_response_at ?? w.now, awaiting_reply_since: null, preview: previewOf(input.body) });
    }
    row = { ...row, message_count: row.message_count + 1, last_message_at: w.now, updated_at: w.now };
    await saveMoment(w, row);
    const message = await insertMessage(w, row.id, scopeOf(row), { direction: input.direction, body: input.body, authorKind: authorId ? 'agent' : 'system', authorId, externalId: input.externalId, meta: input.meta, mentions: input.mentions, attachments: input.attachments });
    if (input.direction === 'out') {
      await recordOnTimeline(w, row.customer_id, row.channel, [{ messageId: `message:${message.id}`, name: 'Message Sent', properties: { momentId: row.id, messageId: message.id, preview: previewOf(input.body) } }], row.team_id);
      // The channel's adapter delivers it and reports sent or failed (see the channels issue).
      await writeOutbox(w.tx, w.deps, [{ workspaceId: w.workspaceId, topic: MOMENT_EVENTS.replyQueued, payload: { momentId: row.id, messageId: message.id, channel: row.channel } }]);
    }
    const mentioned = input.direction === 'note' ? [...new Set(input.mentions ?? [])] : [];
    const audience = audienceOf(row);
    w.announce({ momentId: row.id, type: 'message.added', actor: input.caller.actor, audience: { teams: audience.teams, agents: [...audience.agents, ...mentioned] }, payload: { moment: momentPayload(w, row), message, mentions: mentioned } });
    return { moment: row, message, duplicate: false };
  });
}

/** A reply's channel options apply to its own channel only: a template sent by email would go as plain text, unsaid. */
function checkChannelOptions(channel: string, meta: Readonly<Record<string, unknown>> | undefined): void {
  if (meta?.template !== undefined && channel !== 'whatsapp') throw new AppError('invalid_field', `template is for WhatsApp replies; this moment is on ${channel}`, 'template');
  if ((meta?.subject !== undefined || meta?.cc !== undefined) && channel !== 'email') throw new AppError('invalid_field', `email options are for email replies; this moment is on ${channel}`, 'email');
}

/** The customer's other active moment on the same channel, continued with the message; null when there is none. */
async function continueActive(w: MomentWrite, moment: MomentRow, message: InboundMessage, actor: string, arrivedOn: ChannelScope): Promise<OpenResult | null> {
  const other = await continuable(w, moment.customer_id, { channel: moment.channel, channelId: moment.channel_id });
  return other && other.id !== moment.id ? customerWrote(w, other, message, actor, arrivedOn) : null;
}
