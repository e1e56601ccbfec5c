import { loadChannel, type ChannelRecord } from '../../modules/channels/index.ts';
import { customerOfMoment, type OutboundReply } from '../../modules/moments/index.ts';
import { latestIdentityOf, rootOf } from '../../modules/profiles/index.ts';
import { parseJsonObject } from '../../platform/json.ts';
import type { Deps } from '../../platform/deps.ts';
import { DeliveryError, type ChannelAdapter } from '../channel-adapter.ts';
import { chatSettingsOf, UNVERIFIED_EMAIL } from './chat-settings.ts';

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
  const to = await customerEmail(deps, channel, reply);
  if (!to) return;
  try {
    await email.send(via, { ...reply, channel: 'email', channelId: via.id, to, thread: [] });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DeliveryError(`the visitor is offline and the follow-up email to ${to} failed: ${reason}`, error instanceof DeliveryError ? error.retryable : true);
  }
  deps.log.info({ channelId: channel.id, messageId: reply.messageId, via: via.id }, 'chat reply followed up by email');
}

/**
 * The email the visitor's profile gained last, else the one they typed that is another
 * customer's (kept unlinked: see UNVERIFIED_EMAIL). The moments module knows whose moment it
 * is, the profiles module their email.
 */
async function customerEmail(deps: Deps, channel: ChannelRecord, reply: OutboundReply): Promise<string | null> {
  const customer = await customerOfMoment(deps.db, channel, reply.momentId);
  if (customer === null) return null;
  const linked = await latestIdentityOf(deps.db, reply.workspaceId, [customer], 'email');
  if (linked !== null) return linked;
  const typed = parseJsonObject((await rootOf(deps.db, reply.workspaceId, customer)).traits)[UNVERIFIED_EMAIL];
  return typeof typed === 'string' ? typed : null;
}
