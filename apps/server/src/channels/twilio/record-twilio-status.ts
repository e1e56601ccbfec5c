import type { ChannelRecord } from '../../modules/channels/index.ts';
import { recordDelivery, scopeOfChannel, type DeliveryState, type MomentsCtx } from '../../modules/moments/index.ts';
import { param, type TwilioParams } from './twilio-form.ts';

// Twilio's message statuses that move ours; queued, accepted, sending and scheduled are before "sent".
const STATES: Readonly<Record<string, DeliveryState>> = { sent: 'sent', delivered: 'delivered', read: 'read', undelivered: 'failed', failed: 'failed' };

/**
 * A message status callback for a reply we sent: delivered, read, or failed with Twilio's error
 * code. The callback URL names our message (`?message=`), so a report that overtakes the
 * recording of the send still lands (and stores the MessageSid); without it the message is
 * found by its MessageSid. Late or repeated reports never move a state backwards.
 */
export async function recordTwilioStatus(ctx: MomentsCtx, channel: ChannelRecord, params: TwilioParams, ourMessageId: string | undefined): Promise<boolean> {
  const status = param(params, 'MessageStatus') ?? param(params, 'SmsStatus');
  const sid = param(params, 'MessageSid') ?? param(params, 'SmsSid');
  const state = status ? STATES[status] : undefined;
  if (!state || !sid) return false;
  const code = param(params, 'ErrorCode');
  const error = state === 'failed' ? (code ? `Twilio error ${code}` : `Twilio reported the message ${status}`) : null;
  const target = ourMessageId ? { messageId: ourMessageId, providerMessageId: sid } : { on: scopeOfChannel(channel), externalId: sid };
  return recordDelivery(ctx, { workspaceId: channel.workspaceId, state, error, ...target });
}
