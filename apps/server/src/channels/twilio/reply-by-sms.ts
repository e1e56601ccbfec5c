import type { ChannelRecord } from '../../modules/channels/index.ts';
import type { ProviderFetch } from '../../platform/guarded-fetch.ts';
import type { OutboundReply } from '../../modules/moments/index.ts';
import { DeliveryError } from '../channel-adapter.ts';
import { NO_PARTS_SENT, sendEachPart, type PartsSent } from '../send-each-part.ts';
import { splitText } from '../split-text.ts';
import { publicBaseUrl, webhookPaths } from '../webhook-urls.ts';
import { sendTwilioSms } from './twilio-api.ts';

/** Twilio refuses a longer Body (error 21617); longer replies go out as several messages. */
const MAX_SMS_BODY = 1_600;

/**
 * Sends an agent's reply as an SMS from the channel's number to where the customer last wrote
 * or called from, in parts of at most 1,600 characters. Twilio reports delivery to the
 * channel's status URL, which names our message so the report lands even if it arrives before
 * the send is recorded; without `settings.publicUrl` there is no URL to give, and the reply
 * stays at "sent".
 */
export async function replyBySms(http: ProviderFetch, channel: ChannelRecord, reply: OutboundReply, options: { readonly timeoutMs?: number } = {}, sent: PartsSent = NO_PARTS_SENT): Promise<{ readonly providerMessageId: string | null }> {
  const to = reply.to;
  if (!to) throw new DeliveryError('the customer has no phone number on this moment to reply to', false, 'message');
  // MMS needs publicly reachable media URLs, which stored attachments are not.
  if (reply.attachments.length > 0) throw new DeliveryError('SMS replies carry text only: send the files another way (email) or remove them', false);
  const base = publicBaseUrl(channel);
  const statusPath = webhookPaths(channel.kind, channel.id).status;
  const statusCallback = base && statusPath ? `${base}${statusPath}?message=${encodeURIComponent(reply.messageId)}` : null;
  // Only the first part's status moves the reply along.
  return sendEachPart(splitText(reply.body, MAX_SMS_BODY), (body, index) => sendTwilioSms(http, channel, { to, body, statusCallback: index === 0 ? statusCallback : null }, options), sent);
}
