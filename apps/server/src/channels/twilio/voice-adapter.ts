import { DeliveryError, type ChannelAdapter } from '../channel-adapter.ts';
import { replyBySms } from './reply-by-sms.ts';

/**
 * Twilio Voice: a call is answered by calling back, which an agent does from their phone. With
 * `settings.smsReplies` on, a written reply on a voice moment is texted to the caller from the
 * same number instead; otherwise it fails at once with that explanation (never retried).
 */
export function createVoiceAdapter(options: { readonly timeoutMs?: number } = {}): ChannelAdapter {
  return {
    kind: 'voice',
    send: async (channel, reply, sent) => {
      if (channel.settings.smsReplies !== true) throw new DeliveryError('voice moments are answered by calling back; turn on settings.smsReplies on the voice channel to answer by SMS from its number', false);
      return replyBySms(channel, reply, options, sent);
    },
  };
}
