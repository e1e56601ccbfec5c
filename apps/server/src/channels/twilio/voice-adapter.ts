import { AppError } from '../../platform/errors.ts';
import type { ProviderFetch } from '../../platform/guarded-fetch.ts';
import { DeliveryError, type ChannelAdapter } from '../channel-adapter.ts';
import { callerNumber, replyNumberOf } from './caller-number.ts';
import { replyBySms } from './reply-by-sms.ts';

/** Why a written reply on a voice moment cannot go out without smsReplies. */
const CALL_BACK = 'voice moments are answered by calling back; turn on settings.smsReplies on the voice channel to answer by SMS from its number';

/** Why a reply to a caller who withheld their number cannot be texted. */
const withheld = (from: string | null) => `the caller withheld their number (caller id: ${from ?? 'none'}), so there is no number to text this reply to`;

/**
 * Twilio Voice: a call is answered by calling back, which an agent does from their phone. With
 * `settings.smsReplies` on, a written reply on a voice moment is texted to the caller from the
 * same number instead; otherwise the reply is refused when written (409), as one to a caller
 * who withheld their number is: the agent is told when replying rather than seeing it fail later.
 */
export function createVoiceAdapter(http: ProviderFetch, options: { readonly timeoutMs?: number } = {}): ChannelAdapter {
  return {
    kind: 'voice',
    send: async (channel, reply, sent) => {
      if (channel.settings.smsReplies !== true) throw new DeliveryError(CALL_BACK, false, 'message');
      const to = callerNumber(reply.to);
      if (to === null) throw new DeliveryError(withheld(reply.to), false, 'message');
      return replyBySms(http, channel, { ...reply, to }, options, sent);
    },
    checkReply: async (tx, channel, moment) => {
      if (channel.settings.smsReplies !== true) throw new AppError('no_reply_address', CALL_BACK);
      const { from, number } = await replyNumberOf(tx, moment);
      if (number === null) throw new AppError('no_reply_address', withheld(from));
    },
  };
}
