import type { Db } from '../../platform/db/database.ts';
import { parseJsonObject } from '../../platform/json.ts';
import { inMomentTx, type MomentsCtx } from './moment-tx.ts';
import { loadRow } from './open-moment.ts';
import { audienceOf, momentPayload } from './ownership.ts';
import { messageByExternalId, toMessageView } from './messages.ts';
import type { ChannelScope } from './channel-scope.ts';
import { unindexedText } from '../../platform/db/unindexed.ts';
import { sentByCustomerAt } from './channel-lookups.ts';

/** How far a reply got. A state only moves forward; failed is final for that attempt. */
export type DeliveryState = 'queued' | 'sent' | 'delivered' | 'read' | 'failed';
const RANK: Readonly<Record<string, number>> = { queued: 0, sent: 1, delivered: 2, read: 3 };

/** queued → sent → delivered → read; failed from queued or sent; queued again only to note a retry's error. */
function movesForward(current: string, next: DeliveryState): boolean {
  if (current === 'failed' || !(current in RANK)) return false;
  if (next === 'queued') return current === 'queued';
  if (next === 'failed') return current === 'queued' || current === 'sent';
  return RANK[next]! > RANK[current]!;
}

/** A reply as its channel adapter needs it: text, files, where it goes, and the thread it answers. */
export type OutboundReply = {
  readonly workspaceId: string;
  readonly messageId: string;
  readonly momentId: string;
  readonly channelId: string | null;
  readonly channel: string;
  readonly body: string;
  readonly subject: string;
  readonly delivery: string;
  /** The customer's address on the channel: where they (not a colleague they copied in) last wrote from. */
  readonly to: string | null;
  /** Earlier messages of the moment with provider ids, oldest first (email References). */
  readonly thread: readonly { readonly externalId: string; readonly direction: string; readonly meta: Readonly<Record<string, unknown>> }[];
  readonly attachments: readonly { readonly fileName: string; readonly contentType: string; readonly data: Buffer }[];
  readonly meta: Readonly<Record<string, unknown>>;
  /** When the customer last wrote (WhatsApp's 24-hour window). */
  readonly lastInboundAt: number | null;
  readonly authorName: string | null;
};

/** Everything an adapter needs to send one queued reply. */
export async function loadOutbound(db: Db, workspaceId: string, messageId: string): Promise<OutboundReply | null> {
  const message = await db.selectFrom('message').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', messageId).executeTakeFirst();
  if (!message) return null;
  const moment = await db.selectFrom('moment').select(['id', 'channel', 'channel_id', 'subject']).where('workspace_id', '=', workspaceId).where('id', '=', message.moment_id).executeTakeFirstOrThrow();
  const thread = await db
    .selectFrom('message')
    .select(['external_id', 'direction', 'address', 'meta', 'created_at'])
    .where('workspace_id', '=', workspaceId)
    .where('moment_id', '=', moment.id)
    .where('direction', '!=', 'note')
    .where('id', '<', messageId)
    .orderBy('id')
    .execute();
  const inbound = thread.filter((m) => m.direction === 'in');
  // Where the customer last wrote from: a colleague they copied in may have written since
  // (email marks those `participant`), and the reply is still the customer's.
  const lastIn = [...inbound].reverse().find((m) => parseJsonObject(m.meta).participant !== true) ?? inbound.at(-1);
  const attachments = await db.selectFrom('attachment').select(['file_name', 'content_type', 'data']).where('workspace_id', '=', workspaceId).where('message_id', '=', messageId).orderBy(unindexedText('id')).execute();
  const author = message.author_id ? await db.selectFrom('agent').select('name').where('workspace_id', '=', workspaceId).where('id', '=', message.author_id).executeTakeFirst() : undefined;
  return {
    workspaceId,
    messageId,
    momentId: moment.id,
    channelId: moment.channel_id,
    channel: moment.channel,
    body: message.body,
    subject: moment.subject,
    delivery: message.delivery,
    to: lastIn?.address ?? null,
    thread: thread.filter((m) => m.external_id !== null).map((m) => ({ externalId: m.external_id!, direction: m.direction, meta: parseJsonObject(m.meta) })),
    attachments: attachments.map((a) => ({ fileName: a.file_name, contentType: a.content_type, data: Buffer.from(a.data) })),
    meta: parseJsonObject(message.meta),
    lastInboundAt: inbound.length === 0 ? null : Math.max(...inbound.map(sentByCustomerAt)),
    authorName: author?.name ?? null,
  };
}

/**
 * Records what a channel reported about a message: sent (with the provider's id), delivered,
 * read, or failed with the reason. Late or repeated reports never move a state backwards.
 * Find the message by our id, or by the provider's id on its channel (status callbacks).
 */
export async function recordDelivery(
  ctx: MomentsCtx,
  input: { readonly workspaceId: string; readonly state: DeliveryState; readonly error?: string | null; readonly providerMessageId?: string | null } & ({ readonly messageId: string } | { readonly on: ChannelScope; readonly externalId: string }),
): Promise<boolean> {
  return inMomentTx(ctx, input.workspaceId, async (w) => {
    const message =
      'messageId' in input
        ? await w.tx.selectFrom('message').selectAll().where('workspace_id', '=', w.workspaceId).where('id', '=', input.messageId).executeTakeFirst()
        : await messageByExternalId(w.tx, w.workspaceId, input.on, input.externalId);
    if (!message || message.direction !== 'out') return false;
    if (!movesForward(message.delivery, input.state)) return false;
    const next = {
      delivery: input.state,
      delivery_error: input.error ?? null,
      delivery_at: w.now,
      external_id: input.providerMessageId ?? message.external_id,
    };
    await w.tx.updateTable('message').set(next).where('workspace_id', '=', w.workspaceId).where('id', '=', message.id).execute();
    const moment = await loadRow(w, message.moment_id);
    w.announce({ momentId: moment.id, type: 'message.updated', actor: 'system', audience: audienceOf(moment), payload: { moment: momentPayload(w, moment), message: toMessageView({ ...message, ...next }, []) } });
    return true;
  });
}
