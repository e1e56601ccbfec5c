import type { ChannelRecord } from '../../modules/channels/index.ts';
import type { OutboundReply } from '../../modules/moments/index.ts';
import { DeliveryError } from '../channel-adapter.ts';
import { webhookPaths } from '../webhook-urls.ts';
import { sendTwilioSms } from './twilio-api.ts';
import { publicBaseUrl } from '../webhook-urls.ts';

/**
 * Sends an agent's reply as an SMS from the channel's number to where the customer last wrote
 * or called from. Twilio reports delivery to the channel's status URL, which names our message
 * so the report lands even if it arrives before the send is recorded; without
 * `settings.publicUrl` there is no URL to give, and the reply stays at "sent".
 */
export async function replyBySms(channel: ChannelRecord, reply: OutboundReply, options: { readonly timeoutMs?: number } = {}): Promise<{ readonly providerMessageId: string | null }> {
  if (!reply.to) throw new DeliveryError('the customer has no phone number on this moment to reply to', false);
  // MMS needs publicly reachable media URLs, which stored attachments are not.
  if (reply.attachments.length > 0) throw new DeliveryError('SMS replies carry text only: send the files another way (email) or remove them', false);
  const base = publicBaseUrl(channel);
  const statusPath = webhookPaths(channel.kind, channel.id).status;
  const statusCallback = base && statusPath ? `${base}${statusPath}?message=${encodeURIComponent(reply.messageId)}` : null;
  const sid = await sendTwilioSms(channel, { to: reply.to, body: reply.body, statusCallback }, options);
  return { providerMessageId: sid };
}
