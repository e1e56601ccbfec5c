import { scopeOf, type ChannelScope } from './channel-scope.ts';
import { recordOnTimeline } from './customer-touchpoints.ts';
import { insertMessage, previewOf, type AttachmentInput, type MessageView } from './messages.ts';
import type { MomentWrite } from './moment-tx.ts';
import type { MomentRow } from './moment-view.ts';
import { audienceOf, momentPayload } from './ownership.ts';
import type { OpenResult } from './open-moment.ts';
import { placeReopened } from './reroute.ts';
import { slaOnCustomerMessage, slaRestart, slaResume } from './sla-hooks.ts';
import { saveMoment } from './save-moment.ts';

/** What a customer sent, as a channel (or the API) hands it over. */
export type InboundMessage = {
  readonly body: string;
  readonly externalId?: string | null;
  /** Where the customer wrote from on the channel (their email, phone, page-scoped id). */
  readonly address?: string | null;
  readonly meta?: Readonly<Record<string, unknown>>;
  readonly attachments?: readonly AttachmentInput[];
};

/**
 * The customer wrote on an existing moment. An active moment takes the message (pending or
 * snoozed ones wake up: the customer is waiting again); a resolved one reopens within the
 * workspace's window. Returns null when the moment is past reopening: the caller opens a new one.
 * `arrivedOn`: the channel the message came in on, when not the moment's own (an email reply to
 * a chat's follow-up); its provider id is unique there.
 */
export async function customerWrote(w: MomentWrite, moment: MomentRow, inbound: InboundMessage, actor: string, arrivedOn: ChannelScope = scopeOf(moment)): Promise<OpenResult | null> {
  const windowStart = w.now - w.settings.moments.reopenWindowHours * 3_600_000;
  if (moment.status === 'closed' || (moment.status === 'resolved' && (moment.resolved_at ?? 0) < windowStart)) return null;
  const reopening = moment.status === 'resolved';
  let row: MomentRow = moment;
  if (row.status === 'pending') row = await slaResume(w, row);
  if (reopening) row = await slaRestart(w, { ...row, resolved_at: null });
  row = await slaOnCustomerMessage(w, {
    ...row,
    status: 'open',
    snoozed_until: null,
    preview: previewOf(inbound.body),
    message_count: row.message_count + 1,
    last_message_at: w.now,
    awaiting_reply_since: row.awaiting_reply_since ?? w.now,
    updated_at: w.now,
  });
  await saveMoment(w, row, moment);
  if (reopening) row = await placeReopened(w, row, actor);
  const message: MessageView = await insertMessage(w, row.id, arrivedOn, { direction: 'in', body: inbound.body, authorKind: 'customer', authorId: null, externalId: inbound.externalId, address: inbound.address, meta: inbound.meta, attachments: inbound.attachments });
  await recordOnTimeline(w, row.customer_id, row.channel, [
    { messageId: `message:${message.id}`, name: 'Message Received', properties: { momentId: row.id, messageId: message.id, preview: row.preview, ...(reopening ? { reopened: true } : {}) } },
  ], row.team_id);
  w.announce({ momentId: row.id, type: 'message.added', actor, audience: audienceOf(row), payload: { moment: momentPayload(w, row), message, ...(reopening ? { reopened: true } : {}) } });
  return { outcome: reopening ? 'reopened' : 'continued', moment: row, message };
}
