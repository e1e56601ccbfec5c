import { loadChannel, type ChannelRecord } from '../../modules/channels/index.ts';
import type { OutboundReply } from '../../modules/moments/index.ts';
import type { Deps } from '../../platform/deps.ts';
import { DeliveryError, type ChannelAdapter } from '../channel-adapter.ts';
import { chatSettingsOf } from './chat-settings.ts';

/**
 * Offline follow-up: a reply to a visitor who is not connected also goes by email, through
 * the email channel the chat channel names (settings.followUpChannelId), to the email on the
 * visitor's profile (pre-chat capture or the site's identify calls). Nothing to do without
 * either. A failed email throws, so the reply is retried and its state shows why.
 */
export async function followUpByEmail(deps: Deps, channel: ChannelRecord, reply: OutboundReply, email: ChannelAdapter | undefined): Promise<void> {
  const { followUpChannelId } = chatSettingsOf(channel);
  if (!followUpChannelId) return;
  const via = await loadChannel(deps, channel.workspaceId, followUpChannelId);
  if (!via || via.kind !== 'email' || !via.enabled || !email) {
    deps.log.warn({ channelId: channel.id, followUpChannelId }, 'chat follow-up channel is not an enabled email channel; reply left in the chat only');
    return;
  }
  const to = await customerEmail(deps, reply);
  if (!to) return;
  try {
    await email.send(via, { ...reply, channel: 'email', channelId: via.id, to, thread: [] });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DeliveryError(`the visitor is offline and the follow-up email to ${to} failed: ${reason}`, error instanceof DeliveryError ? error.retryable : true);
  }
  deps.log.info({ channelId: channel.id, messageId: reply.messageId, via: via.id }, 'chat reply followed up by email');
}

async function customerEmail(deps: Deps, reply: OutboundReply): Promise<string | null> {
  const row = await deps.db
    .selectFrom('moment')
    .innerJoin('customer', (join) => join.onRef('customer.workspace_id', '=', 'moment.workspace_id').onRef('customer.id', '=', 'moment.customer_id'))
    .innerJoin('identity', (join) => join.onRef('identity.workspace_id', '=', 'customer.workspace_id').onRef('identity.customer_id', '=', 'customer.root_id'))
    .select('identity.value')
    .where('moment.workspace_id', '=', reply.workspaceId)
    .where('moment.id', '=', reply.momentId)
    .where('identity.kind', '=', 'email')
    .orderBy('identity.created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.value ?? null;
}
